/* dispatch_probe: what libcharnn.so's dispatcher did, for Tests/CABI/test_dispatch.sh. Prints
 * the build it loaded, a status-returning call's result and message, and the answers that must
 * not need a build (versions, status strings). Linked without an rpath: the script points
 * LD_LIBRARY_PATH at the folder to test. */
#include <charnn.h>
#include <stdio.h>

int main(void) {
#if defined(__x86_64__) && ((defined(__clang__) && __clang_major__ >= 19) || (!defined(__clang__) && __GNUC__ >= 12))
    __builtin_cpu_init();
    int v3 = __builtin_cpu_supports("x86-64-v3") != 0;
#else
    int v3 = 0;
#endif
    charnn_graph *graph = NULL;
    charnn_status status = charnn_graph_create(&graph);
    printf("cpu_x86_64_v3=%d\n", v3);
    printf("variant=%s\n", charnn_cpu_variant());
    printf("status=%d (%s)\n", (int)status, charnn_status_string(status));
    printf("error=%s\n", charnn_last_error());
    printf("version=%s abi=%d\n", charnn_version_string(), (int)charnn_abi_version());
    charnn_graph_free(graph);
    return 0;
}

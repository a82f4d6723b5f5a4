/* Writes the seeds of the text features (run by hand against the staged library, like
 * make_corpus.py for the older seeds):
 *
 *   make stage
 *   cc -std=c11 -Ibuild/stage/include Tests/Fuzz/make_corpus_text.c -Lbuild/stage/lib -lcharnn \
 *       -Wl,-rpath,build/stage/lib -o build/make_corpus_text && build/make_corpus_text Tests/Fuzz/corpus
 *
 * checkpoint/: format-2 checkpoints (a learned alphabet of non-ASCII symbols read with NFKC and
 * case folding; an explicit alphabet with transliteration). delimited/: CSV and TSV files as
 * fuzz_delimited.c takes them (an options byte, then the file; see its header). */
#include <charnn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *root;

static void write_seed(const char *kind, const char *name, const void *data, size_t size) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", root, kind, name);
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(1); }
    fwrite(data, 1, size, f);
    fclose(f);
}

/* fuzz_delimited's options byte. */
enum { HEADER = 1, TSV = 2, ARTICLE = 4, NONE = 1 << 3, NFC = 2 << 3, NFKC = 3 << 3, FOLD = 32, SWAP = 64, AUTO = 128 };

static void delimited(const char *name, unsigned options, const char *contents, size_t size) {
    char *bytes = malloc(size + 1);
    bytes[0] = (char)options;
    memcpy(bytes + 1, contents, size);
    write_seed("delimited", name, bytes, size + 1);
    free(bytes);
}

#define DELIMITED(name, options, literal) delimited(name, options, literal, sizeof literal - 1)

static void check(charnn_status status, const char *what) {
    if (status != CHARNN_OK) {
        fprintf(stderr, "%s: %s\n", what, charnn_last_error());
        exit(1);
    }
}

static void checkpoints(void) {
    static const char *texts[] = {
        "M\xC3\xBCller", "Stra\xC3\x9F" "er", "\xEF\xAC\x81" "scher",             /* German: ü, ß, the fi ligature */
        "\xC5\xBB" "ak", "\xC5\x81ukasik", "W\xC3\xB3jcik",                       /* Polish */
        "\xCE\xA0\xCE\xB1\xCF\x80\xCE\xB1\xCE\xB4\xCF\x8C\xCF\x80\xCE\xBF\xCF\x85\xCE\xBB\xCE\xBF\xCF\x82", /* Greek */
        "\xCE\x9C\xCE\xB1\xCE\xBA\xCF\x81\xCE\xAE\xCF\x82",
        "\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD\xD0\xBE\xD0\xB2", "\xEF\xBC\xB0\xEF\xBD\x85\xEF\xBD\x94\xEF\xBD\x92\xEF\xBD\x8F\xEF\xBD\x96", /* Ivanov, full-width Petrov */
        "\xE6\x9D\xB1\xE4\xBA\xAC", "\xE7\x94\xB0\xE4\xB8\xAD"};                  /* Japanese */
    static const char *labels[] = {"German", "German", "German", "Polish", "Polish", "Polish",
                                   "Greek", "Greek", "Russian", "Russian", "Japanese", "Japanese"};
    charnn_text_config text;
    charnn_text_config_init(&text);
    text.alphabet = CHARNN_ALPHABET_LEARNED;
    text.normalize = CHARNN_NORMALIZE_NFKC;
    text.case_fold = 1;
    charnn_dataset *data = NULL;
    check(charnn_dataset_from_strings(texts, labels, 12, &text, &data), "from_strings");
    charnn_model_config config;
    charnn_model_config_init(&config);
    config.kind = CHARNN_MODEL_GRU;
    config.hidden_size = 4;
    config.num_layers = 1;
    config.seed = 1;
    charnn_model *model = NULL;
    check(charnn_model_create_for_dataset(&config, data, &model), "create_for_dataset");
    charnn_train_config train;
    charnn_train_config_init(&train);
    train.epochs = 1;
    train.batch_size = 4;
    check(charnn_model_train(model, data, &train, NULL), "train");
    char path[512];
    snprintf(path, sizeof path, "%s/checkpoint/learned_nfkc_casefold.safetensors", root);
    check(charnn_model_save(model, path), "save");
    charnn_model_free(model);
    charnn_dataset_free(data);

    charnn_text_config_init(&text);
    text.alphabet = CHARNN_ALPHABET_EXPLICIT;
    text.symbols = "abcdefghijklmnopqrstuvwxyz\xC3\xA9\xC3\xB1 -";
    text.transliterate = 1;
    text.case_fold = 1;
    config.kind = CHARNN_MODEL_ELMAN;
    config.hidden_size = 3;
    config.num_layers = 0;
    const char *names[] = {"A", "B"};
    check(charnn_model_create_with_text(&config, &text, names, 2, &model), "create_with_text");
    snprintf(path, sizeof path, "%s/checkpoint/explicit_translit.safetensors", root);
    check(charnn_model_save(model, path), "save");
    charnn_model_free(model);
}

static void delimited_seeds(void) {
    DELIMITED("csv_quotes_bom_crlf", HEADER,
              "\xEF\xBB\xBF" "name,language,note\r\n"
              "Smith,English,plain\r\n"
              "\"O\"\"Brien\",Irish,\"quoted, with comma\"\r\n"
              "\"Two\r\nLines\",English,\"multi\nline\"\r\n"
              "  M\xC3\xBCller  ,German,\r\n"
              "\r\n"
              "\xC5\xBB" "ak,Polish,\"a \"\"quote\"\"\"\r\n"
              "Kowalski,Polish,last");
    DELIMITED("csv_article_nfkc_fold", HEADER | ARTICLE | NFKC | FOLD,
              "text,label\n\xEF\xAC\x81scher,German\nSTRA\xC3\x9F" "E,German\n\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD,Russian\nabc1,English\n");
    DELIMITED("csv_swapped_columns", HEADER | SWAP | NFC,
              "label,text\nGreek,\xCE\x91\xCE\xBB\xCE\xB5\xCE\xBE\xCE\xAF\xCE\xBF\xCF\x85\nGreek,e\xCC\x81\xCE\xB1\nJapanese,\xE6\x9D\xB1\xE4\xBA\xAC\n");
    DELIMITED("tsv_no_header", TSV,
              "Nowak\tPolish\nSchmidt\tGerman\n\"Tab\tInside\"\tGerman\nBrown\tEnglish\r\n");
    DELIMITED("tsv_header_auto", TSV | HEADER | AUTO | NONE,
              "text\tlabel\textra\nJones\tEnglish\tx\n\"Quoted \"\"q\"\"\"\tEnglish\ty\nM\xC3\xBCller\tGerman\tz\n");
    DELIMITED("csv_auto_no_header_fold", AUTO | FOLD,
              "ABC,X\nabc,Y\nAbC,X\n");
    DELIMITED("ragged_rows", HEADER,
              "text,label\nonly\ntoo,many,fields\nfine,A\n,empty text\nempty label,\n\"q\"x,B\nok,B\n");
    DELIMITED("unterminated_quote", HEADER,
              "text,label\nSmith,English\n\"Open,Irish\nmore\n");
    DELIMITED("invalid_utf8", HEADER,
              "text,label\nab\xff,A\n\xc0\xaf,A\n\xed\xa0\x80,B\nok,B\nfine,\xfe\n");
    DELIMITED("invalid_utf8_header", HEADER,
              "te\xffxt,label\nabc,A\n");
    DELIMITED("nul_byte", TSV,
              "n\0ul\tA\nfine\tA\nok\tB\n");
    DELIMITED("blank_lines_header_only", HEADER,
              "\r\n  \r\ntext,label\r\n\r\n");
    DELIMITED("bom_only", 0, "\xEF\xBB\xBF");
    DELIMITED("strings_nul_split", NFKC | FOLD,
              "M\xC3\xBCller\0German\0\xC5\xBB" "ak\0Polish\0\0Empty\0Text\0\0STRASSE\0German\0");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s Tests/Fuzz/corpus\n", argv[0]);
        return 2;
    }
    root = argv[1];
    checkpoints();
    delimited_seeds();
    puts("text corpus written");
    return 0;
}

#!/usr/bin/env bash
# Tests of the charnn command-line tool (examples/c/charnn.c): every verb and its --help, exit
# codes, output formats, streaming prediction, Unicode input. Makes its own small data sets;
# uses $CHARNN_DATA (the names directory) for one quick article-alphabet run when it is set.
#
#   CHARNN=build/bin/charnn Tests/CLI/test_cli.sh      (make test-cli does this)
set -euo pipefail

CHARNN=${CHARNN:-build/bin/charnn}
[[ -x $CHARNN ]] || { echo "test_cli: $CHARNN is not an executable (make examples first)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export CHARNN_NUM_THREADS=${CHARNN_NUM_THREADS:-2}

passed=0
fail() {
    echo "test_cli: FAIL: $*" >&2
    for f in out err; do
        if [[ -s $T/$f ]]; then echo "--- std$f of the last command:" >&2; head -40 "$T/$f" >&2; fi
    done
    exit 1
}
ok() { passed=$((passed + 1)); }

# run STATUS COMMAND...: runs it (stdout to $T/out, stderr to $T/err) and checks the exit status.
run() {
    local want=$1 got=0
    shift
    timeout 120 "$@" >"$T/out" 2>"$T/err" </dev/null || got=$?
    [[ $got == "$want" ]] || fail "exit status $got, expected $want: $*"
    ok
}
# has FILE REGEX [what]: FILE (out or err) matches the extended regex.
has() { grep -Eq -e "$2" "$T/$1" || fail "std$1 lacks /$2/${3:+ ($3)}"; ok; }
# para REGEX: like `has out`, with the wrapped summary paragraph joined into one line.
# (grep reads all of its input: with -q it could stop early and fail the pipe under pipefail.)
para() { sed -e ':a' -e 'N' -e '$!ba' -e 's/\n  / /g' "$T/out" | grep -E -e "$1" >/dev/null || fail "stdout lacks /$1/ (paragraph)"; ok; }
lacks() { ! grep -Eq -e "$2" "$T/$1" || fail "std$1 has /$2/${3:+ ($3)}"; ok; }
last_line_is_accuracy() {
    local last
    last=$(tail -n 1 "$T/out")
    [[ $last =~ ^test\ accuracy:\ [0-9]{1,3}\.[0-9]{2}%$ ]] || fail "last line is '$last', not 'test accuracy: NN.NN%'"
    ok
}
accuracy_of() { tail -n 1 "$T/out" | sed -E 's/^test accuracy: ([0-9.]+)%$/\1/'; }

# ---- data: 3 labels x 30 short strings in Latin, Cyrillic and Greek ------------------------------

latin=(ka lo mi ra te su no vi be da)
cyrillic=(ка ло ми ра те су но ви бе да)
greek=(κα λο μι ρα τε συ νο βι μπε δα)
# word SYLLABLES... N: a three-syllable word, the Nth of a fixed sequence.
word() {
    local -n s=$1
    local n=$2
    echo "${s[n % 10]}${s[(n / 10 + n * 3 + 1) % 10]}${s[(n * 7 + 3) % 10]}"
}
{
    echo "text,label"
    for n in $(seq 0 29); do
        echo "$(word latin "$n"),latin"
        echo "$(word cyrillic "$n"),cyrillic"
        echo "$(word greek "$n"),greek"
    done
} >"$T/train.csv"
{
    echo "text,label"
    for n in $(seq 40 44); do
        echo "$(word latin "$n"),latin"
        echo "$(word cyrillic "$n"),cyrillic"
        echo "$(word greek "$n"),greek"
    done
} >"$T/heldout.csv"
# The same data as TSV without a header, label first, with CRLF line ends.
tail -n +2 "$T/train.csv" | awk -F, '{ printf "%s\t%s\r\n", $2, $1 }' >"$T/train.tsv"
# And as a directory of <Label>.txt files.
mkdir "$T/dir"
tail -n +2 "$T/train.csv" | while IFS=, read -r text label; do echo "$text" >>"$T/dir/$label.txt"; done
# Rows the loader skips (empty labels, a wrong number of fields), listed with file:line.
{
    cat "$T/train.csv"
    for n in 1 2 3 4 5 6; do echo "orphan$n,"; done
    echo "a,b,c"
} >"$T/skips.csv"
# An unterminated quote.
printf 'text,label\nkalomi,latin\n"каломи,cyrillic\nκαλομι,greek\n' >"$T/bad.csv"

TRAIN_FAST=(--alphabet learned --hidden 24 --epochs 12 --batch 4 --lr 0.02)

# ---- version, help, usage errors ----------------------------------------------------------------

run 0 "$CHARNN" --version
has out '^charnn [0-9]+\.[0-9]+\.[0-9]+ \(libcharnn [0-9.]+, ABI [0-9]+, cpu (portable|x86-64-v3)\)$'
run 0 "$CHARNN" --help
has out '^usage: charnn train'
has out 'charnn predict'
for verb in train test predict info quantize; do
    run 0 "$CHARNN" "$verb" --help
    has out "^usage: charnn $verb"
    [[ ! -s $T/err ]] || fail "$verb --help wrote to stderr"
    ok
done
run 0 "$CHARNN" help predict
has out '^usage: charnn predict'
run 0 "$CHARNN" train -h
has out '--alphabet article\|learned\|explicit:STRING'

run 2 "$CHARNN"
has err 'usage: charnn'
run 2 "$CHARNN" frobnicate
has err "unknown command 'frobnicate'"
has err "charnn --help"
run 2 "$CHARNN" --frobnicate
has err "unknown option '--frobnicate'"
run 2 "$CHARNN" train "$T/train.csv" --out "$T/m.st" --bogus
has err "unknown option '--bogus'"
has err "Try 'charnn train --help'"
run 2 "$CHARNN" train "$T/train.csv" --out "$T/m.st" --epochs
has err '--epochs needs a value'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/m.st" --epochs two
has err "--epochs needs an integer .*'two'"
run 2 "$CHARNN" train "$T/train.csv" --out "$T/m.st" --hidden 4097
has err '--hidden needs an integer in 0\.\.4096'
# Hidden size 0 is the n-gram bag alone: without --ngrams the library refuses it.
run 1 "$CHARNN" train "$T/train.csv" --out "$T/m.st" --hidden 0
has err 'hidden size 0 \(no recurrent layers\) is the n-gram bag alone'
[[ ! -e "$T/m.st" ]] || fail "a refused model must not be saved"
run 2 "$CHARNN" train "$T/train.csv" --out "$T/m.st" --lr 1e-3x
has err "--lr needs a number"
run 2 "$CHARNN" train "$T/train.csv" --out "$T/m.st" --test-size 1
has err '--test-size'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/m.st" --model transformer
has err "--model is elman, gru or lstm, not 'transformer'"
run 2 "$CHARNN" train "$T/train.csv" --out "$T/m.st" --alphabet klingon
has err '--alphabet is article, learned or explicit:STRING'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/m.st" --min-count 2
has err '--min-count applies to --alphabet learned only'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/m.st" --casefold=yes
has err '--casefold takes no value'
run 2 "$CHARNN" train "$T/train.csv"
has err 'needs --out MODEL'
run 2 "$CHARNN" train --out "$T/m.st"
has err 'needs DATA'
run 2 "$CHARNN" predict
has err 'needs MODEL'
run 2 "$CHARNN" predict "$T/m.st" -k 0 x
has err '-k needs an integer'
run 2 "$CHARNN" test "$T/m.st"
has err 'needs MODEL and DATA'
run 2 "$CHARNN" info
has err 'needs MODEL'

# ---- library errors: exit 1 with the library's message ------------------------------------------

run 1 "$CHARNN" train "$T/missing.csv" --out "$T/m.st"
has err '^charnn: .*missing\.csv'
run 1 "$CHARNN" train "$T/bad.csv" --out "$T/m.st" --alphabet learned
has err '^charnn: .*bad\.csv:[0-9]+'
has err 'quote'
run 1 "$CHARNN" train "$T/train.csv" --out "$T/m.st" --text-column nosuchcolumn
has err '^charnn: .*nosuchcolumn'
run 1 "$CHARNN" info "$T/missing.safetensors"
has err '^charnn: .*missing\.safetensors'
echo "not a checkpoint" >"$T/garbage.safetensors"
run 1 "$CHARNN" predict "$T/garbage.safetensors" hello
has err '^charnn: '
run 1 "$CHARNN" test "$T/garbage.safetensors" "$T/train.csv"

# ---- train: CSV, learned alphabet ---------------------------------------------------------------

run 0 "$CHARNN" train "$T/train.csv" "${TRAIN_FAST[@]}" --out "$T/m.st"
last_line_is_accuracy
para "^data .*train\.csv: 90 rows in 3 classes \(cyrillic 30, greek 30, latin 30\); 0 skipped"
para 'alphabet learned'
para 'unknown characters?'
has out '^settings: gru, hidden 24, 2 layers, [0-9]+ weights, learned alphabet of [0-9]+ symbols; 12 epochs, batch 4, adam lr 0\.02, clip off, seed 0; stratified split 81 train / 9 test$'
has out '^saved '
has out '^label +support +precision +recall +F1$'
has out '^macro avg'
has err '^epoch 12/12: [0-9]+ steps, mean loss [0-9.]+'
[[ $(grep -c '^epoch ' "$T/err") == 12 ]] || fail "expected one progress line per epoch on a non-terminal stderr"
ok
[[ -s $T/m.st ]] || fail "no model written"
ok
accuracy=$(accuracy_of)
awk -v a="$accuracy" 'BEGIN { exit !(a >= 66) }' || fail "accuracy $accuracy% on three disjoint scripts"
ok

# --quiet: only the accuracy line.
run 0 "$CHARNN" train "$T/train.csv" "${TRAIN_FAST[@]}" --epochs 2 --quiet --out "$T/quiet.st"
[[ $(wc -l <"$T/out") == 1 ]] || fail "--quiet printed more than the accuracy line"
ok
last_line_is_accuracy
[[ ! -s $T/err ]] || fail "--quiet wrote to stderr"
ok

# --test-size 0: no evaluation, no accuracy line.
run 0 "$CHARNN" train "$T/train.csv" "${TRAIN_FAST[@]}" --epochs 1 --test-size 0 --out "$T/all.st"
lacks out 'test accuracy'
has out 'no test split'

# --test FILE: trains on all of DATA.
run 0 "$CHARNN" train "$T/train.csv" "${TRAIN_FAST[@]}" --test "$T/heldout.csv" --out "$T/heldout.st"
para 'test data .*heldout\.csv: 15 rows in 3 classes'
has out 'test on .*heldout\.csv \(15 rows\)'
last_line_is_accuracy
run 2 "$CHARNN" train "$T/train.csv" --test "$T/heldout.csv" --test-size 0.2 --out "$T/x.st"

# TSV without a header, label first, CRLF; an LSTM with AdamW and clipping.
run 0 "$CHARNN" train "$T/train.tsv" --no-header --text-column 1 --label-column 0 --alphabet learned \
    --model lstm --layers 1 --hidden 16 --epochs 2 --batch 8 --optimizer adamw --clip 1 --seed 7 --out "$T/tsv.st"
para '90 rows in 3 classes'
has out '^settings: lstm, hidden 16, 1 layer, .*adamw lr 0\.001, clip 1, seed 7'
last_line_is_accuracy

# A directory of <Label>.txt files, an Elman cell, normalisation flags.
run 0 "$CHARNN" train "$T/dir" --format dir --alphabet learned --normalize nfkc --casefold --model elman \
    --hidden 16 --epochs 1 --batch 8 --optimizer sgd --lr 0.05 --out "$T/dir.st"
para '90 rows in 3 classes'
para 'normalize nfkc, case folded'
last_line_is_accuracy

# Skipped rows: the first five with file:line and why, then how many more.
run 0 "$CHARNN" train "$T/skips.csv" --alphabet learned --hidden 8 --epochs 1 --batch 16 --test-size 0 --out "$T/skips.st"
para '90 rows in 3 classes .*; 7 skipped'
[[ $(grep -Ec '^  skipped skips\.csv:[0-9]+: ' "$T/out") == 5 ]] || fail "expected the first 5 skipped rows with file:line"
ok
has out '^  … and 2 more$'

# An explicit alphabet: characters outside it are <unk>.
run 0 "$CHARNN" train "$T/train.csv" --alphabet "explicit:abcdeiklmnorstuv" --hidden 8 --epochs 1 --batch 16 \
    --test-size 0.2 --out "$T/explicit.st"
para 'alphabet explicit, 17 symbols'
para '[1-9][0-9]* unknown characters'
last_line_is_accuracy

# ---- train: validation, early stopping, schedules, loss options ---------------------------------

run 0 "$CHARNN" train --help
for flag in '--validation F' '--patience N' '--no-restore-best' '--schedule constant\|cosine\|step\|plateau' \
    '--warmup N\|F' '--min-lr X' '--step-size N' '--gamma X' '--plateau-factor X' '--plateau-patience N' \
    '--label-smoothing X' '--class-weights none\|balanced' '--weight-decay X'; do
    has out "$flag"
done
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --schedule linear
has err "--schedule is constant, cosine, step or plateau, not 'linear'"
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --patience 2
has err '--patience needs --validation F'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --validation 1
has err '--validation needs a number in \[0, 1\)'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --warmup 1.5
has err '--warmup needs a number in \[0, 1\)'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --warmup -3
has err '--warmup needs an integer'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --class-weights inverse
has err "--class-weights is none or balanced, not 'inverse'"
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --label-smoothing 2
has err '--label-smoothing needs a number in \[0, 1\]'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --gamma 0
has err '--gamma needs a number'
run 1 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --schedule cosine --lr 0.001 --min-lr 0.01
has err '^charnn: .*min_learning_rate'

# Everything at once: a validation line at every epoch's end, the best epoch after training.
run 0 "$CHARNN" train "$T/train.csv" "${TRAIN_FAST[@]}" --validation 0.2 --patience 4 --schedule cosine --warmup 0.1 \
    --min-lr 0.001 --label-smoothing 0.1 --class-weights balanced --optimizer adamw --weight-decay 0.01 --out "$T/val.st"
has out '^settings: .*adamw lr 0\.02, .*stratified split 81 train / 9 test$'
has out '^training: validation 20% \(best epoch kept\), patience 4, cosine schedule to 0\.001, warm-up 10% of the steps, weight decay 0\.01, label smoothing 0\.1, balanced class weights$'
has err '^epoch 1/12: 16 steps, mean loss [0-9.]+, validation loss [0-9.]+, accuracy [0-9.]+%, lr [0-9.e-]+, [0-9.]+ s$'
has out '^best epoch [0-9]+: validation loss [0-9.]+, accuracy [0-9.]+%'
last_line_is_accuracy
# The step schedule halves the rate after every epoch; --warmup as a number of steps.
run 0 "$CHARNN" train "$T/train.csv" "${TRAIN_FAST[@]}" --epochs 3 --validation 0.2 --schedule step --gamma 0.5 \
    --warmup 2 --no-restore-best --out "$T/step.st"
has out '^training: validation 20%, step schedule x0\.5 every 1 epochs, warm-up 2 steps$'
has err '^epoch 1/3: .*, lr 0\.02, '
has err '^epoch 2/3: .*, lr 0\.01, '
has err '^epoch 3/3: .*, lr 0\.005, '
lacks out 'restored'
# Without validation the epoch lines are as before.
run 0 "$CHARNN" train "$T/train.csv" "${TRAIN_FAST[@]}" --epochs 1 --schedule plateau --out "$T/plateau.st"
has err '^epoch 1/1: [0-9]+ steps, mean loss [0-9.]+, [0-9.]+ s$'
lacks out '^best epoch'

# ---- train: recipes and the GRU/LSTM options ---------------------------------------------------

run 0 "$CHARNN" train --help
for flag in '--recipe fast\|best' '--embedding N' '--bidirectional' '--pooling last\|mean\|max' '--dropout P' \
    '--ngrams N' '--ngram-dim N' '--ngram-min N' '--ngram-max N'; do
    has out "$flag"
done
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --recipe nope
has err "--recipe is fast or best, not 'nope'"
has err "Try 'charnn train --help'"
run 2 "$CHARNN" train --recipe=nope "$T/train.csv" --out "$T/x.st"
has err "--recipe is fast or best, not 'nope'"
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --recipe
has err '--recipe needs a value'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --pooling diagonal
has err "--pooling is last, mean or max, not 'diagonal'"
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --dropout 1
has err '--dropout needs a number in \[0, 1\), got .1.'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --dropout -0.1
has err '--dropout needs a number'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --ngram-min 4
has err "--ngram-min needs an integer in 1\.\.3, got '4'"
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --ngram-max 9
has err "--ngram-max needs an integer in 1\.\.8, got '9'"
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --embedding 5000
has err '--embedding needs an integer in 0\.\.4096'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --ngrams -1
has err '--ngrams needs an integer in 0\.\.16777216'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --ngram-dim 0
has err '--ngram-dim needs an integer in 1\.\.4096'
run 2 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --bidirectional=yes
has err '--bidirectional takes no value'
[[ ! -e $T/x.st ]] || fail "a usage error wrote a model"
ok
# What the flags cannot check, the library refuses (exit 1, its message).
run 1 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --model elman --bidirectional
has err "^charnn: .*Elman cell is the article's"
run 1 "$CHARNN" train "$T/train.csv" --out "$T/x.st" --ngrams 64 --ngram-min 3 --ngram-max 2
has err '^charnn: .*n-gram lengths 3\.\.\.2'

# --recipe fast: its model and training, a learned alphabet, and the lines saying so.
run 0 "$CHARNN" train "$T/train.csv" --recipe fast --out "$T/fast.st"
has out '^recipe: fast \(its settings below; flags given change them\)$'
has out '^settings: gru, hidden 0, 1 layer, [0-9]+ weights, learned alphabet of [0-9]+ symbols; 5 epochs, batch 64, adamw lr 0\.01, clip off, seed 0; stratified split 81 train / 9 test$'
has out '^model: 1-5-grams in 131072 buckets of 64$'
has out '^training: cosine schedule to 0, warm-up 5% of the steps, weight decay 0\.001, label smoothing 0\.1$'
has err '^epoch 5/5: 2 steps, '
last_line_is_accuracy
run 0 "$CHARNN" info "$T/fast.st"
has out '^kind: +gru$'
has out '^hidden size: +0$'
has out '^layers: +none \(the n-gram bag alone\)$'
lacks out '^embedding:'
lacks out '^bidirectional:'
lacks out '^pooling:'
has out '^dropout: +0$'
has out '^n-grams: +1-5-grams in 131072 buckets of 64$'
has out '^alphabet: +learned, '
run 0 "$CHARNN" predict "$T/fast.st" "$(word greek 3)" "$(word latin 3)"
[[ $(wc -l <"$T/out") == 2 ]] || fail "predict with a recipe model: 2 lines"
ok

# --recipe best, first on the line: flags after it change its settings (--epochs 1, the model's).
run 0 "$CHARNN" train --recipe=best "$T/train.csv" --epochs 1 --hidden 16 --pooling mean --ngrams 4096 --ngram-dim 8 \
    --out "$T/best.st"
has out '^recipe: best '
has out '^settings: gru, hidden 16, 1 layer, .*learned alphabet .*; 1 epoch, batch 64, adamw lr 0\.003, '
has out '^model: embedding 32, bidirectional, mean pooling, 1-5-grams in 4096 buckets of 8$'
has out '^training: validation 10% \(best epoch kept\), patience 3, cosine schedule to 0, warm-up 5% of the steps, weight decay 0\.001, label smoothing 0\.1$'
has err '^epoch 1/1: .*validation loss [0-9.]+'
lacks err '^epoch 2/'
last_line_is_accuracy
run 0 "$CHARNN" info "$T/best.st"
has out '^pooling: +mean$'
has out '^n-grams: +1-5-grams in 4096 buckets of 8$'
# An --alphabet given stays; --ngrams 0 drops the bag; --lr and --validation 0 change the training.
run 0 "$CHARNN" train "$T/train.csv" --recipe best --alphabet article --ngrams 0 --epochs 1 --lr 0.01 --validation 0 --patience 0 --test-size 0 \
    --out "$T/fast_article.st"
has out '^settings: gru, hidden 64, 1 layer, [0-9]+ weights, article alphabet of 59 symbols; 1 epoch, batch 64, adamw lr 0\.01, '
has out '^model: embedding 32, bidirectional, max pooling$'
run 0 "$CHARNN" info "$T/fast_article.st"
has out '^n-grams: +none$'
has out '^alphabet: +article, 59 symbols$'
# Without --recipe nothing of it shows.
run 0 "$CHARNN" train "$T/train.csv" "${TRAIN_FAST[@]}" --epochs 1 --out "$T/plain.st"
lacks out '^recipe:'
lacks out '^model:'
run 0 "$CHARNN" info "$T/plain.st"
has out '^embedding: +none \(one-hot\)$'
has out '^bidirectional: +no$'
has out '^pooling: +last$'
has out '^n-grams: +none$'

# Every option by flag: an LSTM with all of them, trained, tested, predicted, described.
run 0 "$CHARNN" train "$T/train.csv" --alphabet learned --model lstm --layers 2 --hidden 8 --embedding 8 --bidirectional \
    --pooling mean --dropout 0.2 --ngrams 512 --ngram-dim 8 --ngram-min 2 --ngram-max 4 --epochs 2 --batch 8 --lr 0.01 \
    --out "$T/options.st"
lacks out '^recipe:'
has out '^settings: lstm, hidden 8, 2 layers, '
has out '^model: embedding 8, bidirectional, mean pooling, dropout 0\.2, 2-4-grams in 512 buckets of 8$'
last_line_is_accuracy
run 0 "$CHARNN" info "$T/options.st"
has out '^kind: +lstm$'
has out '^embedding: +8$'
has out '^bidirectional: +yes$'
has out '^pooling: +mean$'
has out '^dropout: +0\.2$'
has out '^n-grams: +2-4-grams in 512 buckets of 8$'
run 0 "$CHARNN" test "$T/options.st" "$T/heldout.csv"
last_line_is_accuracy
run 0 "$CHARNN" predict "$T/options.st" --json "$(word cyrillic 2)"
has out '"predictions"'
# The Elman cell has no options: info shows none.
run 0 "$CHARNN" info "$T/dir.st"
has out '^kind: +elman$'
lacks out '^(embedding|bidirectional|pooling|dropout|n-grams):'

# ---- test -------------------------------------------------------------------------------------

run 0 "$CHARNN" test "$T/m.st" "$T/heldout.csv"
para '^data .*heldout\.csv: 15 rows'
has out '^label +support +precision +recall +F1$'
has out '^cyrillic +5 +[0-9]\.[0-9]{4} +[0-9]\.[0-9]{4} +[0-9]\.[0-9]{4}$'
has out '^macro avg +15 '
has out '^weighted avg +15 '
has out '^top-1 accuracy: [0-9]{1,3}\.[0-9]{2}% \([0-9]+ of 15\)$'
lacks out '^top-[2-9]'
has out '^macro-F1: [01]\.[0-9]{4} \(the mean over the [1-3] labels? in the data or predicted\)$'
# Three labels: the confusion matrix is shown, named columns, every row summing to its 5 names.
has out '^confusion matrix \(rows: true label, columns: predicted label\):$'
has out '^ +cyrillic +greek +latin$'
awk '/^confusion matrix/ { on = 1; getline; next } on && NF == 4 { n++; if ($2 + $3 + $4 != 5) bad = 1 } on && NF != 4 { on = 0 }
     END { exit !(n == 3 && !bad) }' "$T/out" || fail "confusion rows do not each sum to 5"
ok
last_line_is_accuracy
top1=$(accuracy_of)
run 0 "$CHARNN" test "$T/m.st" "$T/train.tsv" --no-header --text-column=1 --label-column=0
has out '90 rows'
last_line_is_accuracy
run 0 "$CHARNN" test "$T/m.st" "$T/heldout.csv" --alphabet article
has err 'ignored'
run 2 "$CHARNN" test "$T/m.st" "$T/heldout.csv" --epochs 3
has err "unknown option '--epochs'"
run 1 "$CHARNN" test "$T/m.st" "$T/bad.csv"
has err 'bad\.csv:[0-9]+'

# --top-k: top-K accuracy next to top-1; K = the label count is 100 %.
run 0 "$CHARNN" test "$T/m.st" "$T/heldout.csv" --top-k 2
has out '^top-2 accuracy: [0-9]{1,3}\.[0-9]{2}% \([0-9]+ of 15\)$'
top2=$(sed -nE 's/^top-2 accuracy: ([0-9.]+)%.*/\1/p' "$T/out")
awk -v a="$top1" -v b="$top2" 'BEGIN { exit !(b >= a) }' || fail "top-2 accuracy $top2% below top-1 $top1%"
ok
[[ $(accuracy_of) == "$top1" ]] || fail "--top-k changed the (top-1) test accuracy"
ok
run 0 "$CHARNN" test "$T/m.st" "$T/heldout.csv" -k 3
has out '^top-3 accuracy: 100\.00% \(15 of 15\)$'
for bad in 0 -1 abc 2.5 ''; do
    run 2 "$CHARNN" test "$T/m.st" "$T/heldout.csv" --top-k "$bad"
    has err "--top-k needs an integer in 1\.\.65535, got '$bad'"
done
run 2 "$CHARNN" test "$T/m.st" "$T/heldout.csv" --top-k 4
has err "--top-k 4 is more than the model's 3 labels"
run 2 "$CHARNN" test "$T/m.st" "$T/heldout.csv" --top-k
has err '--top-k needs a value'
run 2 "$CHARNN" test "$T/m.st" "$T/heldout.csv" --json=yes
has err '--json takes no value'
run 2 "$CHARNN" test "$T/m.st" "$T/heldout.csv" --confusion=1
has err '--confusion takes no value'

# --json: one object with everything, and nothing else on stdout.
run 0 "$CHARNN" test "$T/m.st" "$T/heldout.csv" --json --top-k 2
[[ $(wc -l <"$T/out") == 1 ]] || fail "--json printed more than one line"
ok
python3 - "$T/out" "$top1" <<'PY' || fail "--json fields"
import json, sys
d = json.load(open(sys.argv[1]))
want = {"rows", "skipped", "total", "correct", "k", "accuracy", "top_k_accuracy", "macro_f1", "macro", "weighted",
        "labels", "classes", "confusion_entries", "confusion"}
assert want <= set(d), want - set(d)
assert d["rows"] == d["total"] == 15 and d["skipped"] == 0 and d["k"] == 2
assert d["labels"] == ["cyrillic", "greek", "latin"], d["labels"]
assert abs(100 * d["accuracy"] - float(sys.argv[2])) < 0.006 and d["correct"] == round(15 * d["accuracy"])
assert d["accuracy"] <= d["top_k_accuracy"] <= 1
classes = d["classes"]
assert [c["label"] for c in classes] == d["labels"] and all(c["support"] == 5 for c in classes)
assert set(classes[0]) == {"label", "precision", "recall", "f1", "support", "predicted"}
m = d["confusion"]
assert [sum(row) for row in m] == [5, 5, 5] and [sum(col) for col in zip(*m)] == [c["predicted"] for c in classes]
assert sorted((t, p, n) for t, row in enumerate(m) for p, n in enumerate(row) if n) == [tuple(e) for e in d["confusion_entries"]]
for i, c in enumerate(classes):
    tp = m[i][i]
    assert abs(c["recall"] - tp / 5) < 1e-12
    assert abs(c["precision"] - (tp / c["predicted"] if c["predicted"] else 0)) < 1e-12
    assert abs(c["f1"] - 2 * tp / (c["predicted"] + 5)) < 1e-12
present = [c for c in classes if c["support"] or c["predicted"]]
assert abs(d["macro_f1"] - sum(c["f1"] for c in present) / len(present)) < 1e-12
assert d["macro"]["f1"] == d["macro_f1"] and d["macro"]["labels"] == len(present)
assert abs(d["weighted"]["recall"] - d["accuracy"]) < 1e-12
PY
ok
[[ ! -s $T/err ]] || fail "--json wrote to stderr"
ok

# More than 30 labels: no confusion matrix unless --confusion (then over the labels that occur);
# labels neither in the data nor predicted are left out of the table and the averages.
{
    echo "text,label"
    for l in $(seq 0 31); do
        for n in 1 2 3; do echo "$(word latin $((l * 3 + n)))$(word greek "$l"),class$l"; done
    done
} >"$T/many.csv"
head -n 7 "$T/many.csv" >"$T/few.csv"
run 0 "$CHARNN" train "$T/many.csv" --alphabet learned --hidden 8 --epochs 1 --batch 32 --test-size 0 --quiet --out "$T/many.st"
run 0 "$CHARNN" test "$T/many.st" "$T/few.csv"
has out '^\(32 labels: the confusion matrix is shown for 30 or fewer, or with --confusion\)$'
lacks out '^confusion matrix'
has out "^\([0-9]+ of the model's 32 labels neither occur in the data nor were predicted: not shown, not averaged\)$"
has out '^class0 +3 '
lacks out '^class9 '
run 0 "$CHARNN" test "$T/many.st" "$T/few.csv" --confusion
has out '^confusion matrix \(rows: true label, columns: predicted label'
has out '^ *(0 )?class0 '
run 0 "$CHARNN" test "$T/many.st" "$T/few.csv" --json
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert "confusion" not in d and len(d["classes"]) == 32 and d["total"] == 6' "$T/out" ||
    fail "--json with 32 labels"
ok
run 0 "$CHARNN" test "$T/many.st" "$T/few.csv" --json --confusion
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert len(d["confusion"]) == 32 and sum(map(sum, d["confusion"])) == 6' "$T/out" ||
    fail "--json --confusion with 32 labels"
ok

# ---- predict ----------------------------------------------------------------------------------

cyr_word=$(word cyrillic 3)
gre_word=$(word greek 5)
lat_word=$(word latin 7)
run 0 "$CHARNN" predict "$T/m.st" "$cyr_word" "$gre_word" "$lat_word"
[[ $(wc -l <"$T/out") == 3 ]] || fail "3 texts, $(wc -l <"$T/out") lines"
ok
has out "^$cyr_word	cyrillic	[01]\.[0-9]{4}$"
has out "^$gre_word	greek	[01]\.[0-9]{4}$"
has out "^$lat_word	latin	[01]\.[0-9]{4}$"

run 0 "$CHARNN" predict "$T/m.st" -k 3 "$cyr_word"
has out "^$cyr_word	cyrillic \([0-9.]+%\), [a-z]+ \([0-9.]+%\), [a-z]+ \([0-9.]+%\)$"
run 0 "$CHARNN" predict "$T/m.st" -k 10 "$cyr_word"
[[ $(grep -o '%)' "$T/out" | wc -l) == 3 ]] || fail "-k above the label count gives every label once"
ok

# Standard input: one answer per line, in order; CRLF; a bad line is reported with its number.
printf '%s\n%s\r\n\n%s\n\xff\xfe\n%s' "$lat_word" "$gre_word" "$cyr_word" "$lat_word" >"$T/in.txt"
got=0
timeout 60 "$CHARNN" predict "$T/m.st" <"$T/in.txt" >"$T/out" 2>"$T/err" || got=$?
[[ $got == 1 ]] || fail "a bad input line should give exit status 1, got $got"
ok
[[ $(wc -l <"$T/out") == 4 ]] || fail "4 good lines, $(wc -l <"$T/out") answers"
ok
[[ $(cut -f1 "$T/out" | tr '\n' ' ') == "$lat_word $gre_word $cyr_word $lat_word " ]] || fail "answers out of order"
ok
lacks out $'\r' "CR kept"
has err '^charnn: line 3: empty line$'
has err '^charnn: line 5: .*UTF-8'

# Many lines through a pipe: every one answered, in order.
for n in $(seq 0 599); do word latin "$n"; word cyrillic "$n"; word greek "$n"; done >"$T/many.txt"
run 0 "$CHARNN" predict "$T/m.st" --json
[[ ! -s $T/out ]] || fail "no input, yet output"
ok
timeout 60 "$CHARNN" predict "$T/m.st" <"$T/many.txt" >"$T/out" 2>"$T/err" || fail "predict on 1800 lines"
[[ $(wc -l <"$T/out") == 1800 ]] || fail "1800 lines in, $(wc -l <"$T/out") out"
ok
cmp -s <(cut -f1 "$T/out") "$T/many.txt" || fail "1800 lines: the texts do not come back in order"
ok

# Streaming: an answer for each line while standard input is still open.
coproc PREDICT { exec timeout 60 "$CHARNN" predict "$T/m.st" -k 2 2>/dev/null; }
predict_pid=$PREDICT_PID
to_predict=${PREDICT[1]}
from_predict=${PREDICT[0]}
for text in "$gre_word" "$cyr_word"; do
    printf '%s\n' "$text" >&"$to_predict"
    IFS= read -r -t 20 answer <&"$from_predict" || fail "no answer to '$text' while standard input is open"
    [[ $answer == "$text"$'\t'*%\),\ *%\) ]] || fail "streamed answer '$answer'"
    ok
done
exec {to_predict}>&-
wait "$predict_pid" || fail "streaming predict exited with $?"
ok

# JSON: one valid object per line, any script escaped properly, unknown characters counted.
printf '%s\n東京\n"quoted"\\back\tslash\nИванов\n' "$gre_word" >"$T/json_in.txt"
timeout 60 "$CHARNN" predict "$T/m.st" --json -k 2 <"$T/json_in.txt" >"$T/out" 2>"$T/err" || fail "predict --json"
[[ $(wc -l <"$T/out") == 4 ]] || fail "--json: 4 lines in, $(wc -l <"$T/out") out"
ok
python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <"$T/out" || fail "--json output is not JSON lines"
ok
python3 - "$T/out" "$T/json_in.txt" <<'EOF' || fail "--json fields"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
texts = open(sys.argv[2], encoding="utf-8").read().split("\n")[:4]
assert [r["text"] for r in rows] == texts, ([r["text"] for r in rows], texts)
for r in rows:
    assert set(r) >= {"text", "predictions", "unknown"}, r
    assert len(r["predictions"]) == 2, r
    assert all(set(p) == {"label", "probability"} and 0 <= p["probability"] <= 1 for p in r["predictions"]), r
    assert r["predictions"][0]["probability"] >= r["predictions"][1]["probability"], r
assert rows[0]["predictions"][0]["label"] == "greek" and rows[0]["unknown"] == 0, rows[0]
assert rows[1]["unknown"] == 2, rows[1]          # Han: not in a Latin/Cyrillic/Greek alphabet
assert rows[3]["predictions"][0]["label"] == "cyrillic", rows[3]
EOF
ok
lacks err 'alphabet lacks' "--json reports unknown characters in the object, not on stderr"
# Text mode: Han and other unseen characters answered, with a note on stderr.
run 0 "$CHARNN" predict "$T/m.st" 東京 Ωμέγα
has out '^東京	(latin|cyrillic|greek)	'
has err '^charnn: argument 1: 2 characters the model.s alphabet lacks \(read as <unk>\)$'
run 1 "$CHARNN" predict "$T/m.st" "" "$lat_word"
has err '^charnn: argument 1: empty text$'
has out "^$lat_word	latin	"
run 0 "$CHARNN" predict "$T/m.st" -- -dash
has out '^-dash	'

# ---- info -------------------------------------------------------------------------------------

run 0 "$CHARNN" info "$T/m.st"
has out '^kind: +gru$'
has out '^hidden size: +24$'
has out '^layers: +2$'
has out '^parameters: +[1-9][0-9]* \(float\)$'
has out '^labels: +3: cyrillic, greek, latin$'
has out '^alphabet: +learned, [0-9]+ symbols \(<unk> included\)$'
has out '^normalize: +nfc$'
has out '^case fold: +no$'
has out '^transliterate: +no$'
has out '^symbols: +".*κ.*"$'
run 0 "$CHARNN" info "$T/tsv.st"
has out '^kind: +lstm$'
run 0 "$CHARNN" info "$T/explicit.st"
has out '^alphabet: +explicit, 17 symbols'
has out '^symbols: +"abcdeiklmnorstuv"$'

# ---- five more scripts: Arabic, Hangul, Han, Hebrew, Devanagari ------------------------------

{
    echo "text,label"
    for round in 1 2 3 4; do
        for w in كتاب قلم بيت شمس قمر; do echo "$w,ar"; done
        for w in 사람 하늘 바다 나무 학교; do echo "$w,ko"; done
        for w in 天空 大海 树木 学校 朋友; do echo "$w,zh"; done
        for w in ספר עט בית שמש ירח; do echo "$w,he"; done
        for w in किताब कलम घर सूरज चाँद; do echo "$w,hi"; done
    done
} >"$T/scripts.csv"
run 0 "$CHARNN" train "$T/scripts.csv" --alphabet learned --hidden 16 --layers 1 --batch 8 --epochs 30 --lr 0.02 \
    --test-size 0 --quiet --out "$T/scripts.st"
run 0 "$CHARNN" predict "$T/scripts.st" كتاب 사람 天空 ספר किताब
[[ $(cut -f2 "$T/out" | tr '\n' ' ') == "ar ko zh he hi " ]] || fail "five scripts predicted as $(cut -f2 "$T/out" | tr '\n' ' ')"
ok
# Unseen characters of those scripts are <unk>, counted, and still answered.
run 0 "$CHARNN" predict "$T/scripts.st" --json 마음 كلب
[[ $(wc -l <"$T/out") == 2 ]] || fail "two JSON lines for two unseen words"
ok
has out '"unknown": [1-9]'

# ---- quantize: an int8 copy, smaller, that predicts and tests; misuse refused ----------------------

run 0 "$CHARNN" quantize "$T/options.st" "$T/options8.st"
has out 'options8\.st: [0-9]+ bytes \([0-9.]+x smaller\)'
(( $(stat -c %s "$T/options8.st") * 2 < $(stat -c %s "$T/options.st") )) || fail "the int8 copy is not smaller"
ok
run 0 "$CHARNN" info "$T/options8.st"
has out '^parameters: +[0-9]+ \(int8 matrices, float biases and head\)$'
run 0 "$CHARNN" info "$T/options.st"
has out '^parameters: +[0-9]+ \(float\)$'
run 0 "$CHARNN" test "$T/options8.st" "$T/heldout.csv"
last_line_is_accuracy
run 0 "$CHARNN" predict "$T/options8.st" "$(word cyrillic 2)"
run 1 "$CHARNN" quantize "$T/options8.st" "$T/again.st"
has err 'already quantized'
[[ ! -e $T/again.st ]] || fail "a refused quantize left a file"
ok
run 1 "$CHARNN" quantize "$T/dir.st" "$T/elman8.st"
has err 'GRU and LSTM'
run 2 "$CHARNN" quantize "$T/options.st" "$T/options.st"
has err 'OUT is MODEL itself'
run 2 "$CHARNN" quantize "$T/options.st"
has err 'needs MODEL and OUT'
run 1 "$CHARNN" quantize "$T/missing.st" "$T/x.st"
has err 'missing\.st'

# A line longer than the library reads is reported and skipped, its bytes never all held.
{ echo "$(word latin 3)"; head -c 200000 /dev/zero | tr '\0' a; echo; echo "$(word greek 4)"; } >"$T/long.txt"
timeout 60 "$CHARNN" predict "$T/options.st" <"$T/long.txt" >"$T/out" 2>"$T/err" && fail "a too-long line gave status 0"
ok
[[ $(wc -l <"$T/out") == 2 ]] || fail "the lines around the long one are answered"
ok
has err '^charnn: line 2: longer than 65536 bytes$'

# ---- the article's alphabet on the names data -------------------------------------------------

if [[ -n ${CHARNN_DATA:-} && -d ${CHARNN_DATA} ]]; then
    run 0 "$CHARNN" train "$CHARNN_DATA" --epochs 1 --hidden 16 --batch 64 --test-size 0.9 --out "$T/names.st"
    para 'alphabet article, 59 symbols'
    para 'in 18 classes'
    last_line_is_accuracy
    run 0 "$CHARNN" predict "$T/names.st" -k 3 Dostoevsky Nguyen 東京
    [[ $(wc -l <"$T/out") == 3 ]] || fail "names: 3 predictions"
    ok
    run 0 "$CHARNN" info "$T/names.st"
    has out '^alphabet: +article, 59 symbols$'
    has out '^transliterate: +yes$'
else
    echo "test_cli: CHARNN_DATA not set (or not a directory): the names run is skipped"
fi

echo "test_cli: $passed checks passed"

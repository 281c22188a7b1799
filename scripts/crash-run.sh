#!/usr/bin/env bash
# End-to-end crash test of the real CLI (issue 4, crash safety): `attrib run` against
# `attrib serve` on 127.0.0.1 is SIGKILLed at seeded random times and resumed with the same
# journal and run id until it completes; its outcome is compared with an uninterrupted
# reference run of the same seed and flags.
#
# Steps: build (release, own scratch path .build-crash), corpora, zoo (round1-like),
# a bases file from the zoo manifest's bases (no None reference: None is no hypothesis),
# a fixed 24-prompt pool, `attrib precompute` once into a shared store (every run then only
# reads it), `attrib serve` with one token per run (the server counts and samples per
# token, so each run's count is isolated), a reference run, an uninterrupted control run
# (must equal the reference byte for byte, or nothing below means anything), then TRIALS
# trials of: start, SIGKILL after a seeded delay (1-3 kills per trial; phases cycle through
# "start" = loading models / reading the store / opening the journal, "queries" and
# "end" = the last quarter of an uninterrupted run), resume until it completes.
#
# Per trial: answered (report.json `queries`), server counted (GET /status `total_queries`
# for the trial's token; /status is not counted), duplicates = counted - answered, lost
# answers the journal found at reconciliation (sum of `lost_attempts`), whether
# submission.csv and report.json (every asked prompt, response and posterior) equal the
# reference's.
#
# A kill after the server counted a query but before its answer was journaled makes a
# duplicate no client can avoid (the API has no idempotency key); the re-sent query draws
# the next sample, so that trial's answers may legitimately differ. Such trials are
# reported, never hidden. Observed: that window is most of a query's time in flight (the
# server answers in ~1 ms; the client's parse and durable completion write take ~2-7 ms), so
# a kill that lands with queries in flight usually costs one duplicate per such query; only
# the kill timing keeps duplicates rare, and MAX_DUP_TRIALS bounds how often.
#
# Exit status (the rule): non-zero when
#   - the control run differs from the reference, or the reference has duplicates;
#   - a trial does not complete within its attempt/time bounds, or an attempt fails other
#     than by our SIGKILL;
#   - a trial with 0 duplicates has a different submission.csv, report.json or answered count;
#   - a trial's duplicates are not all accounted for by the journal (duplicates != lost
#     answers found at reconciliation), or the journal's server tally differs from /status;
#   - a trial has duplicates although none of its kills found a query in flight (journal
#     entries intended, not answered: a request is sent only after its intent is durable);
#   - more than MAX_DUP_TRIALS (default 2) trials have duplicates > 0.
#
# Usage: scripts/crash-run.sh [trials, default 20] [seed, default 2024]
# Environment: CRASH_WORK (work folder; default a fresh mktemp dir, removed on success
# unless CRASH_KEEP=1), MAX_DUP_TRIALS, CRASH_RESULTS (default Results/crash/crash-run.md).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

TRIALS=${1:-20}
SEED=${2:-2024}
MAX_DUP_TRIALS=${MAX_DUP_TRIALS:-2}
RESULTS=${CRASH_RESULTS:-Results/crash/crash-run.md}
ENGINE=(--samples 4 --budget 8 --seed 1 --threads 2)
RUN_ONLY=(--concurrency 4)    # scheduling: `attrib precompute` refuses it
MODELS=12
MAX_ATTEMPTS_EXTRA=4          # attempts per trial beyond its planned kills
SCRATCH=${SCRATCH:-.build}   # the release build `make release` makes
export PATH="/opt/swift/usr/bin:$PATH"

script_start=$SECONDS
now_ms() { local t=${EPOCHREALTIME/./}; echo $(( t / 1000 )); }
say() { echo "crash-run: $*" >&2; }
die() { say "error: $*"; exit 2; }

# ---- work folder, server cleanup ------------------------------------------------------
if [[ -n ${CRASH_WORK:-} ]]; then WORK=$CRASH_WORK; mkdir -p "$WORK"; else WORK=$(mktemp -d /tmp/attrib-crash.XXXXXX); fi
WORK=$(cd "$WORK" && pwd)
server_pid=""
run_pid=""
cleanup() {
    [[ -n $run_pid ]] && kill -KILL "$run_pid" 2>/dev/null || true
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
    [[ -n $server_pid ]] && wait "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. build, corpora -------------------------------------------------------------------
say "building attrib (release, $SCRATCH)"
if ! blog=$(swift build -c release --product attrib --scratch-path "$SCRATCH" 2>&1); then
    grep -E "error" <<<"$blog" >&2 || tail -20 <<<"$blog" >&2
    die "build failed"
fi
ATTRIB="$repo/$SCRATCH/release/attrib"
[[ -x $ATTRIB ]] || die "no binary at $ATTRIB"
bash scripts/install-corpora.sh >/dev/null 2>&1 || die "scripts/install-corpora.sh failed"

# ---- 2. zoo -------------------------------------------------------------------------------
say "zoo in $WORK/zoo"
timeout 900 "$ATTRIB" zoo build Experiments/zoos/round1-like.json --out "$WORK/zoo" >"$WORK/zoo-build.log" 2>&1 \
    || { tail -5 "$WORK/zoo-build.log" >&2; die "zoo build failed"; }

# ---- 3. bases file and prompt pool -------------------------------------------------------
# Bases from the manifest's "bases" records; the decoding is the zoo's (as `attrib demo`
# does). No None reference: the manifest's references would leak the answer key.
jq '{decoding: (.decoding | with_entries(select(.key as $k |
        ["temperature","topK","topP","maxNewTokens","maxTotalTokens","minNewTokens"] | index($k)))),
     bases: [.bases[] | {name: .name, model: ("zoo/models/" + .file)}]}' \
    "$WORK/zoo/manifest.json" >"$WORK/bases.json" || die "cannot write the bases file"
BASES="$WORK/bases.json"
nbases=$(jq '.bases | length' "$BASES")
(( nbases >= 2 )) || die "the manifest lists $nbases bases"

# 24 prompts: fixed subject x fixed predicate pairs (deterministic, no randomness).
POOL="$WORK/pool.txt"
subjects=("The old man" "A computer" "The river" "My friend" "The program" "Every day" "The king" "A small dog")
predicates=("said that" "was not" "will always")
: >"$POOL"
for s in "${subjects[@]}"; do for p in "${predicates[@]}"; do echo "$s $p" >>"$POOL"; done; done
(( $(wc -l <"$POOL") == 24 )) || die "pool is not 24 prompts"

# ---- tokens -------------------------------------------------------------------------------
# One token per run: ref, ctl, trial01..trialNN. The server's counts and sample counters are
# per token (per user name), so each run starts from a fresh counter.
TOKENS="$WORK/tokens"
mkdir -p "$WORK/tok"
( umask 077; : >"$TOKENS" )
chmod 600 "$TOKENS"
names=(ref ctl)
for ((t = 1; t <= TRIALS; t++)); do names+=("$(printf 'trial%02d' "$t")"); done
for n in "${names[@]}"; do
    tok="tok-$n-$(od -An -tx8 -N16 /dev/urandom | tr -d ' \n')"
    echo "$tok $n" >>"$TOKENS"
    ( umask 077; echo "$tok" >"$WORK/tok/$n" )
    chmod 600 "$WORK/tok/$n"
done
token_of() { cat "$WORK/tok/$1"; }

# ---- precompute once ---------------------------------------------------------------------
STORE="$WORK/store.sqlite"
say "precompute into $STORE"
pc_start=$(now_ms)
timeout 1800 "$ATTRIB" precompute --bases "$BASES" --pool "$POOL" --store "$STORE" "${ENGINE[@]}" \
    >"$WORK/precompute.log" 2>"$WORK/precompute.err" || { tail -5 "$WORK/precompute.err" >&2; die "precompute failed"; }
say "precompute: $(tail -1 "$WORK/precompute.log") ($(( $(now_ms) - pc_start )) ms)"

# ---- 4. server ----------------------------------------------------------------------------
"$ATTRIB" serve --zoo "$WORK/zoo" --tokens "$TOKENS" --port 0 --host 127.0.0.1 \
    >"$WORK/serve.out" 2>"$WORK/serve.log" &
server_pid=$!
URL=""
for ((i = 0; i < 600; i++)); do
    URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/serve.out" 2>/dev/null | head -1 || true)
    [[ -n $URL ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$WORK/serve.log" >&2; die "the server exited"; }
    sleep 0.1
done
[[ -n $URL ]] || die "the server did not print its address within 60 s"
say "server at $URL (pid $server_pid)"

server_count() {  # GET /status (not counted) for run $1
    local body
    body=$(curl -s --max-time 10 -H "Authorization: Bearer $(token_of "$1")" "$URL/status") || { echo "?"; return; }
    jq -r '.total_queries // "?"' <<<"$body" 2>/dev/null || echo "?"
}

# ---- one attempt of `attrib run` -----------------------------------------------------------
# attempt NAME N DELAY_MS: runs attempt N of run NAME; SIGKILLs it after DELAY_MS (-1: never).
# Sets RC (137 when killed), ELAPSED_MS, PRE_MS (when "precompute:" appeared, -1 if never).
RUN_TIMEOUT_MS=600000
attempt() {
    local name=$1 n=$2 delay=$3
    local log="$WORK/runs/$name.$n"
    mkdir -p "$WORK/runs"
    local start; start=$(now_ms)
    "$ATTRIB" run --api "$URL" --bases "$BASES" --pool "$POOL" --models "$MODELS" \
        --journal "$WORK/runs/$name.journal.sqlite" --run-id "$name" --store "$STORE" \
        --out "$WORK/runs/$name.out" --token-file "$WORK/tok/$name" "${ENGINE[@]}" "${RUN_ONLY[@]}" \
        >"$log.stdout" 2>"$log.stderr" &
    run_pid=$!
    PRE_MS=-1
    local t
    while kill -0 "$run_pid" 2>/dev/null; do
        t=$(( $(now_ms) - start ))
        if (( PRE_MS < 0 )) && grep -q '^precompute: .*tensors from the store' "$log.stderr" 2>/dev/null; then PRE_MS=$t; fi
        if (( delay >= 0 && t >= delay )); then kill -KILL "$run_pid" 2>/dev/null || true; break; fi
        if (( t >= RUN_TIMEOUT_MS )); then say "$name attempt $n: over $((RUN_TIMEOUT_MS / 1000)) s, killing"; kill -KILL "$run_pid" 2>/dev/null || true; break; fi
        sleep 0.02
    done
    RC=0
    { wait "$run_pid"; } 2>/dev/null || RC=$?
    run_pid=""
    ELAPSED_MS=$(( $(now_ms) - start ))
}

# Journal state of run NAME (read from a copy, so the real journal and its WAL are untouched):
# "completed/pending".
journal_state() {
    local name=$1 j="$WORK/runs/$1.journal.sqlite" c="$WORK/jcopy"
    rm -rf "$c"; mkdir -p "$c"
    [[ -f $j ]] || { echo "none"; return; }
    for s in "" -wal -shm; do [[ -f $j$s ]] && cp "$j$s" "$c/j.sqlite$s"; done
    sqlite3 "$c/j.sqlite" "SELECT
        (SELECT count(*) FROM queries WHERE run_id='$name' AND state='completed') || '/' ||
        (SELECT count(*) FROM queries WHERE run_id='$name' AND state='intended');" 2>/dev/null || echo "unreadable"
}
journal_lost() {
    sqlite3 "$WORK/runs/$1.journal.sqlite" \
        "SELECT coalesce(sum(lost_attempts),0) FROM queries WHERE run_id='$1';" 2>/dev/null || echo "?"
}
# The journal's own "server counted" from the run's final summary line.
journal_counted() {
    grep -oE 'Run [^:]+: [0-9]+ answered, [0-9]+ requests sent, server counted [0-9a-z]+' "$1" | tail -1 \
        | grep -oE '[0-9a-z]+$' || echo "?"
}

# ---- 5. reference and control ------------------------------------------------------------
rm -rf "$WORK/runs"          # journals and outputs of an earlier invocation (CRASH_WORK)
say "reference run"
attempt ref 1 -1
(( RC == 0 )) || { tail -5 "$WORK/runs/ref.1.stderr" >&2; die "the reference run failed (rc $RC)"; }
T_REF=$ELAPSED_MS
PRE_REF=$PRE_MS
REF_OUT="$WORK/runs/ref.out"
REF_Q=$(jq '.queries' "$REF_OUT/report.json")
REF_C=$(server_count ref)
say "reference: $REF_Q queries answered, server counted $REF_C, ${T_REF} ms (first query phase from ${PRE_REF} ms)"
[[ $REF_C == "$REF_Q" ]] || die "the reference run has duplicates (answered $REF_Q, counted $REF_C)"

say "control run (uninterrupted, must equal the reference)"
attempt ctl 1 -1
(( RC == 0 )) || die "the control run failed (rc $RC)"
CTL_C=$(server_count ctl)
cmp -s "$REF_OUT/submission.csv" "$WORK/runs/ctl.out/submission.csv" \
    && cmp -s "$REF_OUT/report.json" "$WORK/runs/ctl.out/report.json" \
    || die "an uninterrupted run with the same seed differs from the reference: the run is not deterministic"
[[ $CTL_C == "$REF_Q" ]] || die "the control run's server count $CTL_C differs from $REF_Q"
# Kill windows from the faster of the two uninterrupted runs (so planned kills rarely come
# after the end): T = whole run, PRE = when the first queries start (the "precompute:" line).
T_MIN=$(( ELAPSED_MS < T_REF ? ELAPSED_MS : T_REF ))
PRE_MIN=$PRE_REF
(( PRE_MS > 0 && (PRE_MIN < 0 || PRE_MS < PRE_MIN) )) && PRE_MIN=$PRE_MS
(( PRE_MIN > 0 && PRE_MIN < T_MIN )) || PRE_MIN=$(( T_MIN / 2 ))
RUN_TIMEOUT_MS=$(( T_REF * 10 > 60000 ? T_REF * 10 : 60000 ))
KILL_WINDOWS="start 0-$(( PRE_MIN * 95 / 100 )) ms, queries $PRE_MIN-$(( T_MIN * 75 / 100 )) ms, end $(( T_MIN * 75 / 100 ))-$(( T_MIN * 92 / 100 )) ms"
say "control: ${ELAPSED_MS} ms; kill windows: start 0-$(( PRE_MIN * 95 / 100 )) ms, queries $PRE_MIN-$(( T_MIN * 75 / 100 )) ms, end $(( T_MIN * 75 / 100 ))-$(( T_MIN * 92 / 100 )) ms"

# ---- 6. trials ----------------------------------------------------------------------------
RANDOM=$SEED
rand_between() {  # integer in [lo, hi]
    local lo=$1 hi=$2 span=$(( $2 - $1 + 1 ))
    (( span > 0 )) || { echo "$lo"; return; }
    echo $(( lo + (RANDOM * 32768 + RANDOM) % span ))
}
phases=(start queries end)
rows=()
total_kills=0 total_answered=0 total_counted=0 total_dups=0 total_lost=0 same=0 dup_trials=0 failed=0
fail_reasons=()
k_startup=0 k_inflight=0 k_between=0 k_done=0
for ((t = 1; t <= TRIALS; t++)); do
    name=$(printf 'trial%02d' "$t")
    planned=$(( RANDOM % 3 + 1 ))
    kills=0 n=0 rc_bad=0 completed=0 inflight=0
    landed=()
    while (( n < planned + MAX_ATTEMPTS_EXTRA )); do
        n=$(( n + 1 ))
        delay=-1
        phase=""
        if (( kills < planned )); then
            phase=${phases[$(( (t + kills) % 3 ))]}
            case $phase in
                start) delay=$(rand_between 0 $(( PRE_MIN * 95 / 100 ))) ;;
                queries) delay=$(rand_between "$PRE_MIN" $(( T_MIN * 75 / 100 ))) ;;
                end) delay=$(rand_between $(( T_MIN * 75 / 100 )) $(( T_MIN * 92 / 100 ))) ;;
            esac
        fi
        attempt "$name" "$n" "$delay"
        if (( RC == 137 )) && (( delay >= 0 )) && (( ELAPSED_MS < RUN_TIMEOUT_MS )); then
            kills=$(( kills + 1 ))
            js=$(journal_state "$name")
            landed+=("${phase}@${delay}ms:$js")
            # Classified by this attempt's own progress: had it read the store yet?
            if (( PRE_MS < 0 )) && ! grep -q '^precompute: .*tensors from the store' "$WORK/runs/$name.$n.stderr"; then
                k_startup=$(( k_startup + 1 ))
            elif [[ $js =~ ^([0-9]+)/([0-9]+)$ ]]; then
                if (( BASH_REMATCH[2] > 0 )); then k_inflight=$(( k_inflight + 1 )); inflight=$(( inflight + 1 ))
                elif (( BASH_REMATCH[1] >= REF_Q )); then k_done=$(( k_done + 1 ))
                else k_between=$(( k_between + 1 )); fi
            else k_between=$(( k_between + 1 )); fi
            continue
        fi
        if (( RC == 0 )); then completed=1; break; fi
        rc_bad=$RC
        say "$name attempt $n: exit $RC: $(tail -1 "$WORK/runs/$name.$n.stderr" 2>/dev/null)"
        break
    done
    total_kills=$(( total_kills + kills ))
    out="$WORK/runs/$name.out"
    counted=$(server_count "$name")
    if (( completed )); then
        answered=$(jq '.queries' "$out/report.json")
        jcounted=$(journal_counted "$WORK/runs/$name.$n.stderr")
        lost=$(journal_lost "$name")
        reconciled=$(cat "$WORK/runs/$name".*.stderr | grep -c 'whose answer was lost' || true)
        sub_same=no; rep_same=no
        cmp -s "$REF_OUT/submission.csv" "$out/submission.csv" && sub_same=yes
        cmp -s "$REF_OUT/report.json" "$out/report.json" && rep_same=yes
    else
        answered="?" jcounted="?" lost="?" reconciled="?" sub_same="?" rep_same="?"
    fi
    dups="?"
    [[ $answered =~ ^[0-9]+$ && $counted =~ ^[0-9]+$ ]] && dups=$(( counted - answered ))
    verdict=ok
    if (( !completed )); then
        verdict="FAIL: did not complete (last exit $rc_bad)"
    elif [[ $dups == "?" ]]; then
        verdict="FAIL: server count unknown"
    elif (( dups == 0 )) && [[ $rep_same != yes || $sub_same != yes || $answered != "$REF_Q" ]]; then
        verdict="FAIL: answers differ with no duplicate"
    elif (( dups > 0 && inflight == 0 )); then
        verdict="FAIL: $dups duplicate(s) but no kill landed with a query in flight"
    elif [[ $lost != "$dups" ]]; then
        verdict="FAIL: $dups duplicate(s), journal found $lost lost"
    elif [[ $jcounted != "$counted" ]]; then
        verdict="FAIL: journal tally $jcounted != server $counted"
    elif (( dups > 0 )); then
        verdict="duplicate(s) explained by the journal"
    fi
    if [[ $verdict == FAIL* ]]; then failed=$(( failed + 1 )); fail_reasons+=("$name: ${verdict#FAIL: }"); fi
    if [[ $dups =~ ^[0-9]+$ ]]; then
        (( dups > 0 )) && dup_trials=$(( dup_trials + 1 ))
        total_dups=$(( total_dups + dups ))
    fi
    [[ $answered =~ ^[0-9]+$ ]] && total_answered=$(( total_answered + answered ))
    [[ $counted =~ ^[0-9]+$ ]] && total_counted=$(( total_counted + counted ))
    [[ $lost =~ ^[0-9]+$ ]] && total_lost=$(( total_lost + lost ))
    [[ $rep_same == yes && $sub_same == yes ]] && same=$(( same + 1 ))
    row="| $name | $kills | ${landed[*]:-none} | $n | $answered | $counted | $dups | $lost | $sub_same | $rep_same | $verdict |"
    rows+=("$row")
    say "$name: $kills kill(s) [${landed[*]:-none}], $n attempt(s), answered $answered, counted $counted, dups $dups, same $rep_same: $verdict"
done

# ---- 7. tally -----------------------------------------------------------------------------
tally="crash-run: $TRIALS trials, $total_kills kills, answered $total_answered, server counted $total_counted, duplicates $total_dups, same answers $same/$TRIALS"
status=0
(( failed == 0 )) || status=1
(( dup_trials <= MAX_DUP_TRIALS )) || { status=1; fail_reasons+=("$dup_trials trials with duplicates (at most $MAX_DUP_TRIALS allowed)"); }
elapsed=$(( SECONDS - script_start ))

mkdir -p "$(dirname "$RESULTS")"
{
    echo "# crash-run: SIGKILL trials of \`attrib run\` against \`attrib serve\`"
    echo
    echo "Produced by \`scripts/crash-run.sh $TRIALS $SEED\` on $(date -u +%Y-%m-%d) (commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, ${elapsed} s in all)."
    echo
    echo '```'
    echo "$tally"
    echo '```'
    echo
    echo "Setup: zoo round1-like ($nbases bases as hypotheses, no None reference), $MODELS fine-tunes, 24-prompt pool,"
    echo "engine flags \`${ENGINE[*]} ${RUN_ONLY[*]}\`; store precomputed once; one server token per run."
    echo "Reference run: $REF_Q queries answered, server counted $REF_C, ${T_REF} ms (queries from ~${PRE_REF} ms);"
    echo "an uninterrupted control run equals it byte for byte (submission.csv and report.json)."
    echo
    echo "Kills: phase@delay:completed/pending journal entries at the kill (\`start\` = loading models, reading the store,"
    echo "opening the journal, before the first query; \`queries\`; \`end\` = the last quarter of an uninterrupted run's time,"
    echo "windows $KILL_WINDOWS; a resumed attempt replays from the journal and may finish before its planned kill, which"
    echo "then is no kill). Dups = server counted - answered; lost = lost answers the journal found at"
    echo "reconciliation (\`lost_attempts\`); same sub/report = byte-identical to the reference."
    echo
    echo "Where the $total_kills kills landed (by the killed attempt's own progress): $k_startup while starting (loading models,"
    echo "reading the store, before any query or replay), $k_inflight with queries in flight (journal entries intended, not"
    echo "answered), $k_between between batches of queries or replays, $k_done with every query answered (writing the outputs)."
    echo
    echo "| trial | kills | where the kills landed | attempts | answered | server counted | dups | lost | same sub | same report | verdict |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Rule (exit non-zero): a trial with 0 duplicates whose answers differ from the reference; duplicates the journal"
    echo "does not account for, or in a trial none of whose kills found a query in flight; a journal tally differing from"
    echo "/status; a trial that does not complete; more than"
    echo "$MAX_DUP_TRIALS trials with duplicates. Exit status of this run: $status."
    if (( ${#fail_reasons[@]} )); then echo; echo "Failures:"; printf -- '- %s\n' "${fail_reasons[@]}"; fi
} >"$RESULTS"

echo "$tally"
(( ${#fail_reasons[@]} )) && printf 'crash-run: FAIL %s\n' "${fail_reasons[@]}" >&2
say "wrote $RESULTS; ${elapsed} s; work folder $WORK"
if (( status == 0 )) && [[ -z ${CRASH_WORK:-} ]] && [[ ${CRASH_KEEP:-0} != 1 ]]; then cleanup; server_pid=""; rm -rf "$WORK"; fi
exit $status

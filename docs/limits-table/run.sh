#!/bin/bash
# usage: run.sh SIDE LABEL ARGS... ; SIDE before|after ; env PRE="ulimit -f 8;" for shell prefix
side=$1; label=$2; shift 2
bin=/tmp/relucert-$side
cd /tmp/lh
tf=$(mktemp /tmp/lh/time.XXXX); of=$(mktemp /tmp/lh/out.XXXX)
nice -n ${NICE:-5} /usr/bin/time -v -o $tf timeout -k 5 120 prlimit --as=6000000000 bash -c "${PRE:-} exec $bin \"\$@\"" x "$@" 2>&1 | cat > $of
rc=${PIPESTATUS[0]}
wall=$(grep "Elapsed (wall" $tf | awk '{print $NF}')
rss=$(grep "Maximum resident" $tf | awk '{print $NF}')
cpu=$(awk -F': ' '/User time/{u=$2}/System time/{s=$2}END{printf "%.1f", u+s}' $tf)
sig=$(grep -o "Command terminated by signal [0-9]*" $tf)
msg=$(grep -v "^\s*$" $of | grep -iE "relucert|verdict|undetermined|error|fatal|panic|killed|budget|stopped" | head -2 | tr '\n' ' ' | cut -c1-230)
[ -z "$msg" ] && msg=$(tail -c 200 $of | tr '\n' ' ')
printf "%s\t%s\texit=%s %s\twall=%s\tcpu=%s\trss=%sMB\t%s\n" "$label" "$side" "$rc" "$sig" "$wall" "$cpu" "$((rss/1024))" "$msg" | tee -a /tmp/lh/results.tsv
rm -f $tf $of

#!/bin/bash
# The rows of docs/limits-table.md: rows.sh before|after (in /tmp/lh, which also
# holds copies of cmd/relucert/testdata/fig3.json and of the catalogue case
# s2-gradient-fail.json as s2.json).
side=$1
R=/tmp/lh/run.sh
$R $side "1a 100k-digit numerator" check big100000.json
$R $side "1b 100k-digit, --budget time=5s" check --budget time=5s big100000.json
[ $side = after ] && $R $side "1c 100k-digit, --max-bits 400000 --budget time=5s" check --max-bits 400000 --budget time=5s big100000.json
$R $side "2a 200×300-digit" check frac200.json
$R $side "2b 200×300-digit, --budget time=10s,cells=100,pivots=100" check --budget time=10s,cells=100,pivots=100 frac200.json
$R $side "2c 2000×300-digit" check frac2000.json
$R $side "3 check --budget time=1s (200×300-digit)" check --budget time=1s frac200.json
[ $side = after ] && $R $side "3b check --budget time=1s (30k-digit, --max-bits 200000)" check --max-bits 200000 --budget time=1s big30000.json
$R $side "4 n=10^6 d=1 (18.8 MB)" check n1e6.json
[ $side = after ] && $R $side "4b n=10^6 d=1, --budget time=60s" check --budget time=60s n1e6.json
$R $side "5a 64 MiB of 0, (64 MiB − 64 B)" check zeros.json
$R $side "5b 64 MiB of [], (64 MiB − 64 B)" check rows.json
$R $side "6a npz (10^6,10^6)" check wcase.json --weights huge.npz
$R $side "6b npz (10^8,2) one-float body" check wcase.json --weights long.npz
$R $side "6c zip bomb 1 MB -> 1 GiB" check wcase.json --weights bomb.npz
$R $side "6d npy header keys reordered" check wcase.json --weights reorder.npz
$R $side "6e npy empty shape" check wcase.json --weights empty-shape.npz
$R $side "7a train --steps 1e12" train fig3.json --steps 1000000000000
$R $side "7b train --steps 1e9" train fig3.json --steps 1000000000
[ $side = after ] && $R $side "7c train --steps 1e9 --budget time=5s" train fig3.json --steps 1000000000 --budget time=5s
$R $side "7d train --width 1e9" train fig3.json --width 1000000000
$R $side "7e train --width 2^63-1" train fig3.json --width 9223372036854775807
$R $side "7f gen --d 2^63-1" gen --d 9223372036854775807
$R $side "7g bench --d 2^63-1" bench --d 9223372036854775807
for w in gen embed junit; do echo OLD > /tmp/lh/old-$w.out; done
PRE="ulimit -f 4;" $R $side "8a gen -o, ulimit -f 4 KiB" gen --n 200 --d 8 --m 4 -o old-gen.out; echo "   old-gen.out now: $(head -c 40 old-gen.out | tr '\n' ' ') ($(stat -c %s old-gen.out) B); temp files left: $(ls -a | grep -c 'old-gen.out.')"
PRE="ulimit -f 0;" $R $side "8b embed -o, ulimit -f 0" embed s2.json --add-zero-output 1,0 -o old-embed.out 2>/dev/null; echo "   old-embed.out now: $(head -c 40 old-embed.out | tr '\n' ' ') ($(stat -c %s old-embed.out) B)"
PRE="ulimit -f 4;" $R $side "8c suite --junit, ulimit -f 4 KiB" suite --junit old-junit.out; echo "   old-junit.out now: $(head -c 40 old-junit.out | tr '\n' ' ') ($(stat -c %s old-junit.out) B)"
$R $side "9a FIFO as case" check fifo.json
$R $side "9b FIFO as --weights" check wcase.json --weights fifo.npz
$R $side "9c FIFO in suite dir" suite suitedir

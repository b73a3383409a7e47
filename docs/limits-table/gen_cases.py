# Generates the case files of docs/limits-table.md (run in /tmp/lh).
import json, os, random, struct, zipfile, zlib, io
random.seed(1)
def w(name, s):
    open(name,'w').write(s)
# 1. 100,000-digit numerator (s2-gradient-fail shape)
for digits in (100000, 30000):
    num = "7" + "3"*(digits-1)
    w(f"big{digits}.json", json.dumps({"name":"big","activation":"relu",
      "inputs":[["1","1"],["1","-1"],["-1","0"]],"targets":[["1"],["3"],["-3"]],
      "neurons":[{"w":["1", num+"/7919"],"a":["2"]}]}))
# 2. n samples of 300-digit fractions, d=2, one neuron
def frac():
    return "%d/%d" % (random.randrange(10**299,10**300)*random.choice([-1,1]), random.randrange(10**299,10**300))
for n in (200, 2000):
    w(f"frac{n}.json", json.dumps({"name":f"frac{n}","activation":"relu",
      "inputs":[[frac(),frac()] for _ in range(n)],"targets":[[frac()] for _ in range(n)],
      "neurons":[{"w":[frac(),frac()],"a":[frac()]},{"w":[frac(),frac()],"a":[frac()]}]}))
# 4. n = 10^6, d = 1 case (~14.6 MB)
n=10**6
with open("n1e6.json","w") as f:
    f.write('{"name":"n1e6","activation":"relu","inputs":[')
    f.write(",".join('["%d"]' % random.randrange(-99999,99999) for _ in range(n)))
    f.write('],"targets":[')
    f.write(",".join('["%d"]' % random.randrange(-999,999) for _ in range(n)))
    f.write('],"neurons":[{"w":["1"],"a":["1"]}]}')
# 5. "0," and "[]," up to 64 MiB - 64 B (just inside the file-size limit,
# so that the parser itself meets them)
M=(64<<20)-64
h='{"inputs": ['
with open("zeros.json","w") as f:
    k=(M-len(h)-2)//2
    f.write(h + "0,"*k + '0]}')
with open("rows.json","w") as f:
    k=(M-len(h)-3)//3
    f.write(h + "[],"*k + '[]]}')

package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/relucert/relucert/atlas"
)

// shardCountEnv is the variable that tells a Kubernetes Indexed Job's pods
// how many shards there are (JOB_COMPLETION_INDEX gives the index only); set
// it to the Job's spec.completions (deploy/k8s/explore-job.yaml does).
const shardCountEnv = "RELUCERT_SHARD_COUNT"

// getenv reads the environment; tests replace it.
var getenv = os.Getenv

// chooseShard decides which part of a sweep this process runs: the --shard
// flag when given, else a Slurm job array's task (SLURM_ARRAY_TASK_ID minus
// SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT), else a Kubernetes
// Indexed Job's pod (JOB_COMPLETION_INDEX of RELUCERT_SHARD_COUNT), else
// the whole sweep (sharded false). note says where a shard came from
// ("" for the flag and for none).
func chooseShard(flagValue string) (sh atlas.Shard, sharded bool, note string, err error) {
	if flagValue != "" {
		sh, err = atlas.ParseShard(flagValue)
		if err != nil {
			return sh, false, "", fmt.Errorf("--shard: %v", err)
		}
		return sh, true, "", nil
	}
	num := func(name string) (int, error) {
		v := getenv(name)
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("%s=%q is not an integer", name, v)
		}
		return n, nil
	}
	if getenv("SLURM_ARRAY_TASK_ID") != "" {
		id, err := num("SLURM_ARRAY_TASK_ID")
		if err != nil {
			return sh, false, "", err
		}
		count, err := num("SLURM_ARRAY_TASK_COUNT")
		if err != nil {
			return sh, false, "", err
		}
		lo, hi := 0, count-1
		if getenv("SLURM_ARRAY_TASK_MIN") != "" {
			if lo, err = num("SLURM_ARRAY_TASK_MIN"); err != nil {
				return sh, false, "", err
			}
		}
		if getenv("SLURM_ARRAY_TASK_MAX") != "" {
			if hi, err = num("SLURM_ARRAY_TASK_MAX"); err != nil {
				return sh, false, "", err
			}
		}
		if hi-lo+1 != count {
			return sh, false, "", fmt.Errorf("the Slurm job array %d-%d has %d tasks: it must be a contiguous range (--array=0-%d), or give --shard I/N", lo, hi, count, count-1)
		}
		sh = atlas.Shard{I: id - lo, N: count}
		if err := sh.Validate(); err != nil {
			return sh, false, "", fmt.Errorf("from SLURM_ARRAY_TASK_ID=%d: %v", id, err)
		}
		return sh, true, fmt.Sprintf("shard %s from the Slurm job array (SLURM_ARRAY_TASK_ID=%d of %d tasks from %d)", sh, id, count, lo), nil
	}
	if getenv("JOB_COMPLETION_INDEX") != "" {
		id, err := num("JOB_COMPLETION_INDEX")
		if err != nil {
			return sh, false, "", err
		}
		if getenv(shardCountEnv) == "" {
			return sh, false, "", fmt.Errorf("JOB_COMPLETION_INDEX=%d is set but %s is not: set it to the Indexed Job's completions (deploy/k8s/explore-job.yaml), or give --shard I/N", id, shardCountEnv)
		}
		count, err := num(shardCountEnv)
		if err != nil {
			return sh, false, "", err
		}
		sh = atlas.Shard{I: id, N: count}
		if err := sh.Validate(); err != nil {
			return sh, false, "", fmt.Errorf("from JOB_COMPLETION_INDEX=%d and %s=%d: %v", id, shardCountEnv, count, err)
		}
		return sh, true, fmt.Sprintf("shard %s from the Kubernetes Indexed Job (JOB_COMPLETION_INDEX=%d, %s=%d)", sh, id, shardCountEnv, count), nil
	}
	return atlas.Shard{I: 0, N: 1}, false, "", nil
}

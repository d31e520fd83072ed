#!/usr/bin/env bash
# One short GPU lease: lessons 03 and 05 end to end in the `gpu` profile, seed 0.
#
#   bash benchmarks/gpu_lease.sh OUT_FOLDER          # on the GPU machine (about 9 minutes on an H200)
#   python benchmarks/run.py add OUT_FOLDER/gpu.json --command "bash benchmarks/gpu_lease.sh OUT" \
#       --note "networks trained first, side by side" && python benchmarks/report.py   # then here
#
# Lessons 03 and 05 train many small networks one after another, which leaves a GPU mostly idle,
# so `vgan-course train --all` trains each lesson's methods side by side first, into the runs
# folder the lessons then resume from; the lessons run past failed claims (--keep-going).
set -eu
out=${1:?usage: gpu_lease.sh OUT_FOLDER}
mkdir -p "$out"
export VGAN_RUNS="$out/runs" PYTHONUNBUFFERED=1 MPLBACKEND=Agg
nvidia-smi --query-gpu=name,memory.total --format=csv > "$out/gpu.txt" 2>&1 || true
vgan-course train 03_temporal_generators --all --profile gpu --jobs 5 > "$out/train03.log" 2>&1 &
vgan-course train 05_video_restoration --all --profile gpu --jobs 6 > "$out/train05.log" 2>&1 &
wait
vgan-course run notebooks/03_temporal_generators.ipynb notebooks/05_video_restoration.ipynb --profile gpu \
    --runs "$out/runs" --keep-going --jobs 2 --record "$out/gpu.json" --out "$out" > "$out/lessons.log" 2>&1

#!/usr/bin/env bash
# One short GPU lease: lessons 03 and 05 end to end in the `gpu` profile, seed 0, and the
# d_wins_at_64 variants of MoCoGAN without the video D at width 64, all within DEADLINE seconds.
#
#   bash benchmarks/gpu_lease.sh OUT_FOLDER [DEADLINE]        # on the GPU machine
#   python benchmarks/run.py merge OUT_FOLDER/gpu03.json      # then here, likewise gpu05.json,
#   python benchmarks/d_wins_at_64.py --merge OUT_FOLDER/d64.json && python benchmarks/report.py
#
# The lessons' networks are trained first, side by side (benchmarks/warm_start.py), and the
# lessons then run as scripts over the same runs folder, past failed claims (--keep-going), each
# stopped in time to write its record. Logs and records go to OUT_FOLDER.
set -u
out=${1:?usage: gpu_lease.sh OUT_FOLDER [DEADLINE_SECONDS]}
deadline=${2:-560}
py=${PYTHON:-python3}
runs=${VGAN_LEASE_RUNS:-/tmp/vgan-lease-runs}
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg
began=$SECONDS
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total --format=csv > "$out/gpu.txt" 2>&1

$py benchmarks/d_wins_at_64.py --out "$out/d64.json" \
    --only 'MoCoGAN without video D, width64' 'MoCoGAN without video D, width64 sn' > "$out/d64.log" 2>&1 &
$py benchmarks/warm_start.py --only 03 05 --profile gpu --seed 0 --runs "$runs" > "$out/warm.log" 2>&1
cp "$runs/warm_start.json" "$out/" 2>/dev/null
left=$(( deadline - (SECONDS - began) - 20 ))
(( left < 60 )) && left=60  # a late warm start: a minute anyway (the call's own limit may stop them)
echo "warm start done at $(( SECONDS - began )) s; lessons get $left s" >> "$out/warm.log"
for lesson in 03 05; do
    $py benchmarks/script_lessons.py --profile gpu --only $lesson --seeds 0 --runs "$runs" --keep-going \
        --threads 8 --timeout "$left" --out "$out/gpu$lesson.json" > "$out/lesson$lesson.log" 2>&1 &
done
wait
echo "all done at $(( SECONDS - began )) s" >> "$out/warm.log"

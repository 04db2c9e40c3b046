#!/usr/bin/env bash
# bench/device/run.sh <out-dir>: the webgpu backend on a GPU machine, in one run under 8 minutes.
# Offline: needs node and the repo's installed node_modules, nothing from the network. Writes into
# <out-dir>: env.json (GPU, Vulkan driver and loader), conformance.json (vitest's JSON report of
# the conformance suite, the LoRA loss curve, f16 weights read as f16 where the GPU has shader-f16
# and bind groups made once per graph; conformance.out its console), bench-webgpu.jsonl
# (`pnpm bench -- --backend webgpu` lines, PyTorch-CUDA beside them when torch sees the GPU;
# smollm135m-lora twice, frozen weights in f32 and with --backend-option f16_weights=on), a
# .log per part and summary.json (each part's exit status and seconds; 124: its time box ran out).
# DEVICE_VK_ICD=<icd.json> forces a Vulkan driver: a dry run on SwiftShader where there is no GPU.
set -uo pipefail # no -e: a part that fails is recorded and the next one runs

[[ $# -eq 1 ]] || { echo "usage: bench/device/run.sh <out-dir>" >&2; exit 2; }
mkdir -p "$1" && out=$(cd "$1" && pwd)
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
deadline=$(($(date +%s) + 460)) # 7 min 40 s: the parts' time boxes are cut to fit
parts=()

# run_part NAME SECONDS DIR OUT CMD...: CMD in DIR, in a time box of SECONDS (or what is left before
# the deadline), stdout appended to OUT and stderr to OUT's .log
run_part() {
  local name=$1 box=$2 dir=$3 stdout=$4 start status
  shift 4
  local left=$((deadline - $(date +%s)))
  ((box > left)) && box=$left
  if ((box < 10)); then
    parts+=("\"$name\": {\"skipped\": \"no time left\"}")
    return
  fi
  echo "[device] $name (up to ${box}s)" >&2
  start=$(date +%s)
  (cd "$dir" && timeout --kill-after=10 "$box" "$@") >>"$stdout" 2>>"${stdout%.*}.log"
  status=$?
  parts+=("\"$name\": {\"status\": $status, \"seconds\": $(($(date +%s) - start)), \"time_box_s\": $box}")
}

# The GPU's Vulkan driver, never SwiftShader: NVIDIA's ICD file where the driver installed one, else
# one written here for the driver's library (container runtimes often mount the library alone).
unset VK_ICD_FILENAMES VK_DRIVER_FILES
icd=${DEVICE_VK_ICD:-$(ls /etc/vulkan/icd.d/nvidia*.json /usr/share/vulkan/icd.d/nvidia*.json 2>/dev/null | head -n 1)}
# (grep without -q: reading all of ldconfig's output, it never ends the pipe early under pipefail)
if [[ -z $icd ]] && ldconfig -p | grep 'libGLX_nvidia\.so\.0' >/dev/null; then
  icd=$out/nvidia_icd.json
  printf '{"file_format_version": "1.0.1", "ICD": {"library_path": "libGLX_nvidia.so.0", "api_version": "1.3.0"}}\n' >"$icd"
fi
# Dawn opens the Vulkan loader (libvulkan1). Where the machine has none, a copy carried over in
# VULKAN_LOADER_DIR (default bench/tmp/vulkan-loader, git-ignored) is put on LD_LIBRARY_PATH.
loader_dir=${VULKAN_LOADER_DIR:-$PWD/bench/tmp/vulkan-loader}
loader=$(ldconfig -p | grep -o '/[^ ]*libvulkan\.so\.1$' | head -n 1)
if [[ -z $loader && -e $loader_dir/libvulkan.so.1 ]]; then
  loader=$loader_dir/libvulkan.so.1
  export LD_LIBRARY_PATH=$loader_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
# PyTorch-CUDA: the first python3 whose torch sees the GPU (a pip or conda torch, or Debian's)
for py in $(command -v python3) /usr/local/bin/python3 /usr/bin/python3; do
  if timeout 60 "$py" -c 'import sys, torch; sys.exit(not torch.cuda.is_available())' 2>/dev/null; then
    export BENCH_PYTHON=$py
    break
  fi
done
gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -n 1)
cat >"$out/env.json" <<JSON
{"gpu": "${gpu:-none found by nvidia-smi}", "vulkan_icd": "${icd:-none}", "vulkan_loader": "${loader:-none}", "pytorch_cuda_python": "${BENCH_PYTHON:-none}", "node": "$(node --version)", "cpus": $(nproc)}
JSON

if [[ -n $icd && -n $loader ]]; then
  export VK_ICD_FILENAMES=$icd
  # the backend's vitest setup installs nothing when VK_ICD_FILENAMES names a driver
  run_part conformance 130 packages/backend-webgpu "$out/conformance.out" \
    node_modules/.bin/vitest run src/webgpu-conformance.test.ts test/lora-loss-curve.test.ts \
    src/f16-weights.test.ts src/webgpu-executable.test.ts \
    --reporter=default --reporter=json --outputFile.json="$out/conformance.json"
  # each workload its own bench run, so that one failing or running out of time loses no other;
  # WORKLOAD:SECONDS[:BACKEND-OPTION]: smollm135m-lora with frozen weights in f32, then in f16 (the
  # boxes, 130 + 30 + 2 x 140 s, fit the deadline)
  for w in tiny-lora:30 smollm135m-lora:140 smollm135m-lora:140:f16_weights=on; do
    IFS=: read -r id box option <<<"$w"
    run_part "bench-$id${option:+-${option%%=*}}" "$box" bench "$out/bench-webgpu.jsonl" \
      node_modules/.bin/tsx --conditions=@tunekit/source --tsconfig ../tsconfig.base.json \
      src/main.ts --backend webgpu --workload "$id" ${option:+--backend-option "$option"}
  done
else
  parts+=("\"webgpu\": {\"skipped\": \"NVIDIA's Vulkan driver: ${icd:-not found}; Vulkan loader: ${loader:-not found} (a software adapter would only waste the GPU's time)\"}")
  run_part pytorch-cuda-matmul 60 . "$out/pytorch-cuda-matmul.json" \
    "${BENCH_PYTHON:-python3}" bench/torch/train_bench.py matmul "$(nproc)" cuda
fi

summary=$(IFS=,; echo "${parts[*]}")
echo "{${summary}}" >"$out/summary.json"
echo "[device] done: $out/summary.json" >&2

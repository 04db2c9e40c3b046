import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LORA_CONFIG, MODELS, OPTIMIZER, type Workload } from './workloads.js';

/** Debian's python3 (python3-torch), or BENCH_PYTHON: a GPU machine's CUDA torch may be elsewhere. */
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../torch/train_bench.py', import.meta.url));

/** torch's version and whether it sees a CUDA GPU, or why PyTorch cannot run here. */
export function probeTorch(): { version: string; cuda: boolean } | { missing: string } {
  const r = spawnSync(
    PYTHON,
    ['-c', 'import torch; print(torch.__version__, torch.cuda.is_available())'],
    { encoding: 'utf8' },
  );
  if (r.error) return { missing: `${PYTHON} not found` };
  if (r.status !== 0)
    return { missing: `${PYTHON} cannot import torch (apt-get install python3-torch)` };
  const [version, cuda] = r.stdout.trim().split(' ');
  return { version, cuda: cuda === 'True' };
}

/** Where PyTorch runs: the CPU (against onnx) or a CUDA GPU (against webgpu). */
export type TorchDevice = 'cpu' | 'cuda';

/**
 * Debian's torch hands fp32 matmuls to the system BLAS, and the reference BLAS it pulls in is about
 * 50x slower than OpenBLAS: install libopenblas0-openmp when it is missing and we are root.
 */
export function ensureOpenBlas(log: (line: string) => void): void {
  const installed = spawnSync('dpkg-query', ['--status', 'libopenblas0-openmp'], {
    encoding: 'utf8',
  });
  if (installed.stdout?.includes('Status: install ok installed')) return;
  if (process.getuid?.() !== 0) {
    log('libopenblas0-openmp is not installed and this is not root: PyTorch may use a slow BLAS');
    return;
  }
  log('libopenblas0-openmp is missing: running apt-get install -y libopenblas0-openmp');
  execFileSync('apt-get', ['install', '-y', 'libopenblas0-openmp'], { stdio: 'inherit' });
}

export interface TorchMatmul {
  readonly gflops: number;
  /** The BLAS libraries torch's process mapped. */
  readonly blas: readonly string[];
  /** OpenBLAS's kernel family (`openblas_get_corename`), when OpenBLAS is the BLAS. */
  readonly openblas_core: string | null;
}

export function torchMatmulPeak(threads: number, device: TorchDevice = 'cpu'): TorchMatmul {
  return runScript(['matmul', String(threads), device], threads) as TorchMatmul;
}

export interface TorchResult {
  readonly step_s: number;
  readonly steps_s: readonly number[];
  readonly final_loss: number;
  readonly trainable_params: number;
  readonly peak_rss_mb: number;
  /** CUDA only: torch.cuda.max_memory_allocated. */
  readonly peak_gpu_mb: number | null;
}

/** One workload in its own python process (its peak RSS is the workload's). */
export function runTorch(w: Workload, threads: number, device: TorchDevice = 'cpu'): TorchResult {
  const spec = {
    config: MODELS[w.model],
    method: w.method,
    lora: LORA_CONFIG,
    optimizer: OPTIMIZER,
    batch: w.batch,
    seq: w.seq,
    warmup: w.warmup,
    steps: w.steps,
    threads,
    device,
  };
  return runScript(['train', JSON.stringify(spec)], threads) as TorchResult;
}

/**
 * PyTorch's environment: OpenBLAS's OpenMP threads as many as torch's and onnxruntime's, and no
 * OPENBLAS_CORETYPE, which would force a kernel family (this machine's environment sets Haswell, AVX2
 * only, half the speed of the AVX-512 kernels OpenBLAS detects on its own).
 */
export function torchEnv(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  return env;
}

function runScript(args: readonly string[], threads: number): unknown {
  const env = torchEnv(threads);
  const out = execFileSync(PYTHON, [SCRIPT, ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string);
}

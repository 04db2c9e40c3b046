import { loadavg } from 'node:os';
import { type BackendConfig, UserError } from '@tunekit/core';
import { type BenchBackend, type BenchOptions, parseBenchOptions } from './bench-options.js';
import { modelFlops } from './model-flops.js';
import { runNodeChild } from './node-child.js';
import { onnxMatmulPeak } from './onnx-matmul-peak.js';
import {
  ensureOpenBlas,
  probeTorch,
  runTorch,
  type TorchDevice,
  type TorchMatmul,
  type TorchResult,
  torchMatmulPeak,
} from './pytorch.js';
import { runSessionStarts, type SessionStartResult } from './session-start.js';
import { runTrainer } from './trainer-overhead.js';
import { runTunekit } from './tunekit.js';
import type { WebGpuPeak } from './webgpu-peak-child.js';
import type { SessionWorkload, TrainerWorkload, Workload } from './workloads.js';

// `pnpm bench [-- --workload small-lora] [--threads N] [--backend-option frozen_weights=initializers]`: tunekit's
// onnx backend and a hand-written PyTorch trainer on the same workloads. One JSON line for the
// machine, then one per workload, on stdout; progress on stderr. `--backend webgpu`: tunekit's
// webgpu backend against PyTorch on CUDA when torch sees a GPU, MFU against the adapter's own
// measured matmul rate; `--backend-option f16_weights=on` stores its frozen weights as f16.

/** Below this, PyTorch's BLAS is not a real one (or the machine is starved): no ratio is given. */
const MIN_TORCH_GFLOPS = 100;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const emit = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
const round = (x: number, digits = 3) => Number(x.toPrecision(digits));

async function main(opts: BenchOptions): Promise<void> {
  if (opts.backend === 'webgpu') return webgpuMain(opts);
  const { workloads, threads, frozenWeights, backendOptions } = opts;
  const torch = probeTorch();
  let torchPeak: TorchMatmul | undefined;
  let voidReason: string | undefined;
  if ('missing' in torch) {
    voidReason = `PyTorch skipped: ${torch.missing}`;
    log(voidReason);
  } else {
    ensureOpenBlas(log);
    torchPeak = torchMatmulPeak(threads);
    if (torchPeak.gflops < MIN_TORCH_GFLOPS) {
      voidReason =
        `comparison void: PyTorch's 2048x2048 fp32 matmul reached ${round(torchPeak.gflops)} GFLOP/s, ` +
        `below ${MIN_TORCH_GFLOPS} (BLAS: ${torchPeak.blas.join(', ') || 'none found'}); no ratio is given`;
      log(voidReason);
    }
  }
  const onnxGflops = await onnxMatmulPeak(threads);
  // MFU is against the best fp32 matmul rate measured on this machine, whichever library reached it
  const peak = Math.max(onnxGflops, torchPeak?.gflops ?? 0);
  emit({
    matmul_2048_fp32_gflops: {
      pytorch: torchPeak ? round(torchPeak.gflops) : null,
      onnxruntime: round(onnxGflops),
    },
    mfu_peak_gflops: round(peak),
    pytorch: 'version' in torch ? torch.version : null,
    blas: torchPeak?.blas ?? null,
    openblas_core: torchPeak?.openblas_core ?? null,
    ...(process.env.OPENBLAS_CORETYPE
      ? { openblas_coretype_env: `${process.env.OPENBLAS_CORETYPE} (removed for PyTorch)` }
      : {}),
    threads,
    ...(voidReason ? { note: voidReason } : {}),
  });

  for (const w of workloads) {
    const loadBefore = loadavg()[0];
    const line =
      w.kind === 'trainer'
        ? trainerLine(w, threads)
        : w.kind === 'session'
          ? sessionLine(w, threads)
          : stepLine(w, {
              backend: 'onnx',
              threads,
              frozenWeights,
              backendOptions,
              peak,
              // bitsandbytes' 4-bit layers have no CPU training path in Debian's torch; the torch
              // script has no gradient checkpointing
              torch:
                w.method === 'qlora' || w.gradientCheckpointing
                  ? undefined
                  : torchPeak && { device: 'cpu', voidReason },
            });
    emit({ ...line, load_average: [round(loadBefore, 2), round(loadavg()[0], 2)] });
  }
}

/**
 * The webgpu backend: the adapter and its fp32 matmul rate, then each step workload, against
 * PyTorch on CUDA when torch sees a GPU (a CPU PyTorch is no measure of a GPU backend).
 */
async function webgpuMain({
  workloads,
  threads,
  backendOptions,
}: Extract<BenchOptions, { backend: 'webgpu' }>): Promise<void> {
  const torch = probeTorch();
  const cuda = 'version' in torch && torch.cuda;
  const note = cuda
    ? undefined
    : `PyTorch-CUDA skipped: ${'missing' in torch ? torch.missing : 'torch sees no CUDA GPU'}; MFU is against the adapter's matmul rate`;
  if (note) log(note);
  log('webgpu: adapter and its fp32 matmul rate');
  const { adapter, matmul } = runNodeChild<WebGpuPeak>('./webgpu-peak-child.ts', []);
  const torchPeak = cuda ? torchMatmulPeak(threads, 'cuda') : undefined;
  emit({
    backend: 'webgpu',
    adapter,
    matmul_fp32_gflops: {
      webgpu: round(matmul.gflops),
      pytorch_cuda: torchPeak ? round(torchPeak.gflops) : null,
    },
    webgpu_matmul: `${matmul.chain} chained ${matmul.n}x${matmul.n} matmuls per submission, best run fenced by its read-back`,
    mfu_peak_gflops: round(matmul.gflops),
    pytorch: 'version' in torch ? torch.version : null,
    ...(note ? { note } : {}),
  });
  for (const w of workloads) {
    const loadBefore = loadavg()[0];
    const line = stepLine(w, {
      backend: 'webgpu',
      threads,
      frozenWeights: 'inputs',
      backendOptions,
      peak: matmul.gflops,
      torch: cuda && w.method !== 'qlora' ? { device: 'cuda' } : undefined,
    });
    emit({ ...line, load_average: [round(loadBefore, 2), round(loadavg()[0], 2)] });
  }
}

/** A step workload on tunekit and, when it can run, on PyTorch, with their ratio. */
function stepLine(
  w: Workload,
  opts: {
    readonly backend: BenchBackend;
    readonly threads: number;
    readonly frozenWeights: 'inputs' | 'initializers';
    /** The backend's options, parsed by its schema (`--backend-option`). */
    readonly backendOptions: BackendConfig;
    /** The fp32 matmul GFLOP/s that MFU is measured against. */
    readonly peak: number;
    /** Absent: PyTorch does not run; a void reason: it runs, but gives no ratio. */
    readonly torch?: { readonly device: TorchDevice; readonly voidReason?: string };
  },
): object {
  const { backend, threads, frozenWeights, backendOptions, peak, torch } = opts;
  const flops = modelFlops(w);
  const tokens = w.batch * w.seq;
  const mfu = (stepS: number) => round(flops.perStep / stepS / (peak * 1e9));
  log(
    backend === 'webgpu'
      ? `${w.id}: tunekit (webgpu, ${JSON.stringify(backendOptions)})`
      : `${w.id}: tunekit (onnx, ${threads} threads, frozen weights as ${frozenWeights})`,
  );
  const tk = runTunekit(w, { backend, threads, frozenWeights, backendOptions });
  let pt: TorchResult | undefined;
  let ptFailed: string | undefined;
  if (torch) {
    log(`${w.id}: pytorch (${torch.device})`);
    try {
      pt = runTorch(w, threads, torch.device);
    } catch (e) {
      // running out of memory (the kernel's SIGKILL) or failing is PyTorch's recorded result
      const { signal, status } = e as { signal?: string | null; status?: number | null };
      ptFailed = signal ? `killed by ${signal} (out of memory?)` : `exited with status ${status}`;
      log(`${w.id}: pytorch ${ptFailed}`);
    }
  }
  const voidReason = torch?.voidReason;
  return {
    workload: w.id,
    batch: w.batch,
    seq: w.seq,
    steps: `${w.warmup} warm-up + median of ${w.steps}`,
    model_flops_per_step: round(flops.perStep),
    trainable_params: pt?.trainable_params ?? null,
    tunekit: {
      backend,
      backend_options: backendOptions,
      summary: tk.summary,
      tokens_per_s: round(tokens / tk.step_s),
      step_s: round(tk.step_s),
      peak_rss_mb: Math.round(tk.peak_rss_mb),
      mfu: mfu(tk.step_s),
      session_create_s: tk.session_create_s === null ? null : round(tk.session_create_s),
      trace_s: round(tk.trace_s),
      compile_s: round(tk.compile_s),
      first_step_s: round(tk.first_step_s),
      final_loss: round(tk.final_loss, 5),
      losses: tk.losses.map((l) => round(l, 5)),
    },
    pytorch: pt
      ? {
          tokens_per_s: round(tokens / pt.step_s),
          step_s: round(pt.step_s),
          peak_rss_mb: Math.round(pt.peak_rss_mb),
          mfu: mfu(pt.step_s),
          ...(pt.peak_gpu_mb === null ? {} : { peak_gpu_mb: Math.round(pt.peak_gpu_mb) }),
          final_loss: round(pt.final_loss, 5),
        }
      : ptFailed
        ? { failed: ptFailed }
        : null,
    ratio: pt && !voidReason ? round(pt.step_s / tk.step_s) : null,
    ...(voidReason ? { note: voidReason } : {}),
  };
}

/** A trainer workload: its step time and the share of it spent outside the backend. */
function trainerLine(w: TrainerWorkload, threads: number): object {
  log(`${w.id}: Trainer (onnx, ${threads} threads, logging every step)`);
  const r = runTrainer(w, threads);
  const ms = (s: number) => round(s * 1000);
  return {
    workload: w.id,
    batch: w.batch,
    seq: w.seq,
    steps: `${w.warmup} warm-up + median of ${w.steps}`,
    examples: r.examples,
    trainer: {
      tokens_per_s: round((w.batch * w.seq) / r.step_s),
      step_s: round(r.step_s),
      backend_s: round(r.backend_s),
      overhead_ms: ms(r.overhead_s),
      data_ms: ms(r.data_s),
      callbacks_ms: ms(r.callbacks_s),
      loop_ms: ms(r.loop_s),
      data_load_s: round(r.data_load_s),
      first_step_s: round(r.first_step_s),
      finish_s: round(r.finish_s),
      compiled_graphs: r.compiled_graphs,
      peak_rss_mb: Math.round(r.peak_rss_mb),
      final_loss: round(r.final_loss, 5),
    },
    overhead_share: round(r.overhead_share, 2),
  };
}

/** A session workload: session creation at a first start and at a second one from the cache. */
function sessionLine(w: SessionWorkload, threads: number): object {
  log(`${w.id}: two starts (onnx, ${threads} threads) sharing an empty session cache`);
  const { first, cached } = runSessionStarts(w, threads);
  const start = (r: SessionStartResult) => ({
    session_create_s: round(r.session_create_s),
    from_cache: r.from_cache,
    trace_s: round(r.trace_s),
    step_s: round(r.step_s),
    peak_rss_mb: Math.round(r.peak_rss_mb),
    losses: r.losses.map((loss) => round(loss, 7)),
  });
  return {
    workload: w.id,
    batch: w.batch,
    seq: w.seq,
    steps: `${w.warmup} warm-up + median of ${w.steps}, per start`,
    first_start: start(first),
    cached_start: start(cached),
    same_losses: first.losses.every((loss, i) => loss === cached.losses[i]),
  };
}

try {
  await main(parseBenchOptions(process.argv.slice(2)));
} catch (e) {
  if (!(e instanceof UserError)) throw e;
  log(e.message);
  process.exitCode = 1;
}

/**
 * Mappable buffers for reading outputs back, reused across runs. A run's fetched outputs are
 * copied side by side into one buffer, so it maps once. A buffer is lent to one run until its
 * values are read, so runs in flight together each get their own.
 */
export class ReadBackPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly all: GPUBuffer[] = [];

  constructor(private readonly device: GPUDevice) {}

  /** A mappable buffer of `size` bytes, not lent to any run in flight. */
  acquire(size: number): GPUBuffer {
    const buffer = this.free.get(size)?.pop();
    if (buffer) return buffer;
    const made = this.device.createBuffer({
      size,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.all.push(made);
    return made;
  }

  /** Gives back a buffer whose mapping has ended. */
  release(buffer: GPUBuffer): void {
    const list = this.free.get(buffer.size) ?? [];
    list.push(buffer);
    this.free.set(buffer.size, list);
  }

  dispose(): void {
    for (const b of this.all) b.destroy();
    this.all.length = 0;
    this.free.clear();
  }
}

/** A small SVG line chart of the loss per step, redrawn as each step comes in. */
export class LossChart {
  private readonly losses: number[] = [];
  private readonly line: SVGPolylineElement;
  private readonly label: SVGTextElement;

  constructor(
    svg: SVGSVGElement,
    private readonly totalSteps: number,
  ) {
    const ns = 'http://www.w3.org/2000/svg';
    svg.replaceChildren();
    svg.setAttribute('viewBox', '0 0 100 50');
    this.line = svg.appendChild(document.createElementNS(ns, 'polyline'));
    this.line.setAttribute('fill', 'none');
    this.line.setAttribute('stroke', 'currentColor');
    this.line.setAttribute('stroke-width', '0.8');
    this.label = svg.appendChild(document.createElementNS(ns, 'text'));
    this.label.setAttribute('x', '98');
    this.label.setAttribute('y', '6');
    this.label.setAttribute('text-anchor', 'end');
    this.label.setAttribute('font-size', '5');
  }

  add(loss: number): void {
    this.losses.push(loss);
    const top = Math.max(...this.losses);
    const x = (i: number) => (i / Math.max(1, this.totalSteps - 1)) * 100;
    const y = (l: number) => 48 - (l / top) * 44; // loss 0 at the bottom
    this.line.setAttribute('points', this.losses.map((l, i) => `${x(i)},${y(l)}`).join(' '));
    this.label.textContent = `step ${this.losses.length}: loss ${loss.toFixed(4)}`;
  }
}

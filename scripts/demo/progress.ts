/**
 * Step-by-step progress: a spinner on a terminal, plain lines otherwise (CI, pipes, tests).
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Least time between two progress lines when there is no terminal to redraw. */
const PLAIN_REPORT_MS = 5_000;

export class Progress {
  private step = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly tty = Boolean(process.stdout.isTTY) && !process.env.CI;

  constructor(private readonly total: number) {}

  /**
   * Runs one step. `work` may report how far it is: on a terminal the detail follows the spinner's label;
   * otherwise it is printed as a line, at most every few seconds (and whenever it is the first).
   */
  async run<T>(title: string, work: (report: (detail: string) => void) => Promise<T>): Promise<T> {
    this.step += 1;
    const label = `[${this.step}/${this.total}] ${title}`;
    const started = Date.now();
    let detail = '';
    let printedAt = 0;
    const report = (next: string) => {
      detail = next;
      if (this.tty || Date.now() - printedAt < PLAIN_REPORT_MS) return;
      printedAt = Date.now();
      process.stdout.write(`    ${detail}\n`);
    };
    if (this.tty) {
      let frame = 0;
      this.timer = setInterval(() => process.stdout.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${label}${detail ? `: ${detail}` : ''}`), 80);
    } else {
      process.stdout.write(`${label}…\n`);
    }
    try {
      const result = await work(report);
      this.finish(`✔ ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return result;
    } catch (error) {
      this.finish(`✖ ${label}`);
      throw error;
    }
  }

  private finish(line: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    process.stdout.write(this.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }
}

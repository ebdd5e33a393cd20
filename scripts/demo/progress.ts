/**
 * Step-by-step progress: a spinner on a terminal, plain lines otherwise (CI, pipes, tests).
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class Progress {
  private step = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly tty = Boolean(process.stdout.isTTY) && !process.env.CI;

  constructor(private readonly total: number) {}

  async run<T>(title: string, work: () => Promise<T>): Promise<T> {
    this.step += 1;
    const label = `[${this.step}/${this.total}] ${title}`;
    const started = Date.now();
    if (this.tty) {
      let frame = 0;
      this.timer = setInterval(() => process.stdout.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}`), 80);
    } else {
      process.stdout.write(`${label}…\n`);
    }
    try {
      const result = await work();
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

// Error types shared across the engine. Codecs throw DecodeError for bad input; callers on the
// network path catch it, count a drop and carry on.

/** A packet or file that does not parse. `reason` is a short stable tag used as a counter key. */
export class DecodeError extends Error {
  constructor(
    public readonly reason: string,
    message?: string,
  ) {
    super(message ? `${reason}: ${message}` : reason);
    this.name = 'DecodeError';
  }
}

/** An invalid setting. The CLI prints `message` on one line and exits with status 2. */
export class ConfigError extends Error {
  constructor(
    public readonly setting: string,
    public readonly value: unknown,
    public readonly accepted: string,
  ) {
    super(`invalid ${setting}: ${JSON.stringify(value)} (accepted: ${accepted})`);
    this.name = 'ConfigError';
  }
}

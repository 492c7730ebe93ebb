/** Latency records shared by the load generator (load.mjs) and the direct ldapts child (ldap-direct.mjs). */

/** Latencies in ms with sub-millisecond resolution. */
export class Latencies {
  #values = new Float64Array(1 << 16);
  #n = 0;
  add(ms) {
    if (this.#n === this.#values.length) {
      const bigger = new Float64Array(this.#values.length * 2);
      bigger.set(this.#values);
      this.#values = bigger;
    }
    this.#values[this.#n++] = ms;
  }
  percentiles() {
    const sorted = this.#values.slice(0, this.#n).sort();
    const at = (p) => (this.#n === 0 ? NaN : sorted[Math.min(this.#n - 1, Math.ceil((p / 100) * this.#n) - 1)]);
    return { count: this.#n, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: at(100) };
  }
}

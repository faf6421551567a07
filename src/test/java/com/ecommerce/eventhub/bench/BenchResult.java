package com.ecommerce.eventhub.bench;

/**
 * One row of the benchmark table. Values that do not apply are {@code NaN}.
 *
 * @param mode the mode's name, e.g. {@code throughput}
 * @param count what was counted in the window (events, requests or mails)
 * @param unit what {@code count} counts, e.g. {@code events}
 * @param ratePerSecond {@code count} per second of the window
 * @param p50 50th percentile in ms
 * @param p95 95th percentile in ms
 * @param p99 99th percentile in ms
 * @param cpuMsPer1000 process CPU time of the window per 1,000 counted items, in ms
 * @param rssMb resident set size in MB (see {@code measured})
 * @param measured whose CPU and RSS: {@code bench JVM} (hub in-process) or
 * {@code hub process} (the packaged jar as a child), and whether the RSS is the end or
 * the peak of the window
 * @param note anything else worth a line
 */
public record BenchResult(String mode, long count, String unit, double ratePerSecond, double p50, double p95,
		double p99, double cpuMsPer1000, double rssMb, String measured, String note) {

	/**
	 * A result without latencies.
	 * @param mode the mode
	 * @param count the counted items
	 * @param unit their unit
	 * @param window the measuring window
	 * @param measured whose CPU and RSS
	 * @param note a note
	 * @return the result
	 */
	static BenchResult of(String mode, long count, String unit, Window.Measured window, String measured, String note) {
		return new BenchResult(mode, count, unit, count / window.seconds(), Double.NaN, Double.NaN, Double.NaN,
				window.cpuMsPer1000(count), window.rssMb(), measured, withMachine(note, window, count));
	}

	/**
	 * A result with latencies.
	 * @param mode the mode
	 * @param count the counted items
	 * @param unit their unit
	 * @param window the measuring window
	 * @param latencies the latencies
	 * @param measured whose CPU and RSS
	 * @param note a note
	 * @return the result
	 */
	static BenchResult of(String mode, long count, String unit, Window.Measured window, Percentiles latencies,
			String measured, String note) {
		return new BenchResult(mode, count, unit, count / window.seconds(), latencies.ms(50), latencies.ms(95),
				latencies.ms(99), window.cpuMsPer1000(count), window.rssMb(), measured,
				withMachine(note, window, count));
	}

	/** The note, then where the rest of the machine's CPU went in the window. */
	private static String withMachine(String note, Window.Measured window, long count) {
		String machine = window.machine(count);
		if (machine.isEmpty()) {
			return note;
		}
		return (note == null || note.isEmpty()) ? machine : note + "; " + machine;
	}

	/**
	 * A mode that failed: its row says so instead of a figure.
	 * @param mode the mode
	 * @param failure why
	 * @return the result
	 */
	static BenchResult failed(String mode, Throwable failure) {
		return new BenchResult(mode, 0, "-", Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
				"-", "FAILED: " + failure);
	}

	BenchResult withRate(double rate) {
		return new BenchResult(this.mode, this.count, this.unit, rate, this.p50, this.p95, this.p99, this.cpuMsPer1000,
				this.rssMb, this.measured, this.note);
	}

	BenchResult withNote(String extra) {
		String joined = (this.note == null || this.note.isEmpty()) ? extra : this.note + "; " + extra;
		return new BenchResult(this.mode, this.count, this.unit, this.ratePerSecond, this.p50, this.p95, this.p99,
				this.cpuMsPer1000, this.rssMb, this.measured, joined);
	}

}

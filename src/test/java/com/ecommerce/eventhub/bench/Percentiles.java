package com.ecommerce.eventhub.bench;

import java.util.Arrays;

/** Nearest-rank percentiles of durations measured in nanoseconds. */
final class Percentiles {

	private final long[] sorted;

	private Percentiles(long[] sorted) {
		this.sorted = sorted;
	}

	/**
	 * @param nanos durations in ns, in any order (not modified)
	 * @return their percentiles
	 */
	static Percentiles of(long[] nanos) {
		long[] copy = nanos.clone();
		Arrays.sort(copy);
		return new Percentiles(copy);
	}

	int count() {
		return this.sorted.length;
	}

	/**
	 * The nearest-rank percentile: the smallest value with at least {@code percentile}%
	 * of the values at or below it.
	 * @param percentile 0 to 100 (100 is the maximum)
	 * @return the value in ms, {@code NaN} when there is none
	 */
	double ms(double percentile) {
		if (this.sorted.length == 0) {
			return Double.NaN;
		}
		int index = (int) Math.ceil(percentile / 100.0 * this.sorted.length) - 1;
		return this.sorted[Math.max(0, Math.min(this.sorted.length - 1, index))] / 1e6;
	}

}

package com.ecommerce.eventhub.bench;

/**
 * The former relay benchmark's entry point, kept for
 * {@code -Dbench.main=com.ecommerce.eventhub.bench.RelayBenchmark}: the throughput and
 * latency modes of {@link BenchmarkRunner} ({@code -Dbench.mode=throughput|latency|both},
 * default both), with the same options ({@code bench.events}, {@code bench.rate},
 * {@code bench.seconds}, {@code bench.workers}, {@code bench.batchSize},
 * {@code bench.queueType}, {@code bench.aggregates}).
 */
public final class RelayBenchmark {

	private RelayBenchmark() {
	}

	public static void main(String[] args) {
		if (System.getProperty("bench.mode") == null) {
			System.setProperty("bench.mode", "both");
		}
		BenchmarkRunner.main(args);
	}

}

package com.ecommerce.eventhub.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.ecommerce.eventhub.support.HubInstance;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.rabbitmq.client.Channel;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code latency} and {@code latency-quiet}: with the relay running (a hub in this JVM),
 * commits events at a steady rate for {@code bench.seconds} in small transactions while a
 * consumer on the queue records each arrival; commit-to-queue percentiles over all
 * events. {@code latency}: {@code bench.rate} (2,000) events/s with the default poll
 * interval. {@code latency-quiet}: {@code bench.quietRate} (20) events/s, one per
 * transaction, with {@code hub.relay.poll-interval=1s} (so only a wake-up on commit keeps
 * it low). The CPU time is this JVM's over the sending window: the hub plus the
 * benchmark's inserts and consumer.
 */
final class LatencyMode implements BenchMode {

	/** Seconds of unmeasured sending at the mode's rate before the window. */
	static final int WARM_UP_SECONDS = 10;

	private final boolean quiet;

	LatencyMode(boolean quiet) {
		this.quiet = quiet;
	}

	@Override
	public List<BenchResult> run(BenchSettings settings) throws Exception {
		TestTopology topology = TestTopology.unique(this.quiet ? "bench_lq" : "bench_lat");
		try {
			return List.of(measure(settings, topology));
		}
		finally {
			topology.cleanup();
		}
	}

	private BenchResult measure(BenchSettings settings, TestTopology topology) throws Exception {
		String mode = this.quiet ? "latency-quiet" : "latency";
		int rate = this.quiet ? settings.quietRate() : settings.rate();
		Map<String, Object> hubSettings = settings.relayHubSettings();
		if (this.quiet) {
			hubSettings.put("hub.relay.poll-interval", "1s");
		}
		OutboxRows rows = new OutboxRows(topology, settings.aggregates());
		Map<String, Long> committedAt = new ConcurrentHashMap<>();
		Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
		try (ConfigurableApplicationContext hub = HubInstance.start("bench-" + mode, topology, hubSettings);
				com.rabbitmq.client.Connection rabbit = TestServices.rabbit().newConnection("bench-consumer")) {
			Channel channel = rabbit.createChannel();
			channel.basicQos(1000);
			channel.basicConsume(topology.queue("order.events"), true,
					(tag, delivery) -> arrivedAt.put(delivery.getProperties().getMessageId(), System.nanoTime()),
					tag -> {
					});
			// A commit every 5 ms at most: 10 events per commit at 2,000/s, one at 20/s.
			int perTick = Math.max(1, rate / 200);
			long tickNanos = TimeUnit.SECONDS.toNanos(1) * perTick / rate;
			// A warm-up at the same rate, not measured: right after start the JIT
			// compiles the relay's path, and the first seconds of a cold hub had a p99
			// of 350 ms where the following ones had 10 ms.
			Window window;
			double sendSeconds;
			try (Connection db = TestServices.jdbc();
					PreparedStatement insert = db.prepareStatement(rows.insertSql())) {
				db.setAutoCommit(false);
				send(db, insert, rows, rate * WARM_UP_SECONDS, perTick, tickNanos, committedAt);
				awaitArrivals(committedAt, arrivedAt);
				System.out.printf(Locale.ROOT,
						"%s: warmed up for %d s, then waited %.1f s for the JIT compilers to go quiet%n", mode,
						WARM_UP_SECONDS, Window.awaitQuietJit(60));
				committedAt.clear();
				arrivedAt.clear();
				window = Window.open(ProcessStats.self(), mode);
				send(db, insert, rows, rate * settings.seconds(), perTick, tickNanos, committedAt);
				sendSeconds = window.seconds();
			}
			awaitArrivals(committedAt, arrivedAt);
			Window.Measured measured = window.stop();
			long[] latencies = committedAt.entrySet()
				.stream()
				.filter(entry -> arrivedAt.containsKey(entry.getKey()))
				.mapToLong(entry -> arrivedAt.get(entry.getKey()) - entry.getValue())
				.toArray();
			Percentiles percentiles = Percentiles.of(latencies);
			System.out.printf(Locale.ROOT,
					"%s at %,d events/s for %d s: %,d/%,d arrived; commit->queue p50 %.1f ms, p95 %.1f ms, "
							+ "p99 %.1f ms, max %.1f ms%n",
					mode, rate, settings.seconds(), latencies.length, committedAt.size(), percentiles.ms(50),
					percentiles.ms(95), percentiles.ms(99), percentiles.ms(100));
			String note = String.format(Locale.ROOT, "commit->queue at %,d/s for %d s, max %.1f ms%s%s", rate,
					settings.seconds(), percentiles.ms(100), this.quiet ? ", poll-interval 1s" : "",
					(latencies.length < committedAt.size())
							? String.format(Locale.ROOT, ", %,d NOT ARRIVED", committedAt.size() - latencies.length)
							: "");
			// The rate is the one achieved while committing; the CPU time also covers the
			// wait for
			// the last arrivals.
			return BenchResult
				.of(mode, latencies.length, "events", measured, percentiles,
						"bench JVM (hub in-process, with the producer and consumer)", note)
				.withRate(committedAt.size() / sendSeconds);
		}
	}

	/**
	 * Commits events at a steady rate, {@code perTick} per transaction every
	 * {@code tickNanos} (the connection is not in auto-commit), and notes each one's
	 * commit time.
	 */
	private static void send(Connection db, PreparedStatement insert, OutboxRows rows, int total, int perTick,
			long tickNanos, Map<String, Long> committedAt) throws Exception {
		long next = System.nanoTime();
		int sent = 0;
		List<String> batch = new ArrayList<>(perTick);
		while (sent < total) {
			batch.clear();
			for (int i = 0; i < perTick && sent < total; i++, sent++) {
				batch.add(rows.addRow(insert, sent));
			}
			insert.executeBatch();
			db.commit();
			long now = System.nanoTime();
			for (String id : batch) {
				committedAt.put(id, now);
			}
			next += tickNanos;
			LockSupport.parkNanos(next - System.nanoTime());
		}
	}

	/**
	 * Waits up to 30 s for every committed event to arrive (each one: a late arrival of
	 * the warm-up must not count for the window's events).
	 */
	private static void awaitArrivals(Map<String, Long> committedAt, Map<String, Long> arrivedAt) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (!arrivedAt.keySet().containsAll(committedAt.keySet()) && System.nanoTime() < deadline) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
		}
	}

}

package com.ecommerce.eventhub.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.rabbitmq.client.Channel;

/**
 * {@code startup}: {@code bench.startupRuns} (3) launches of the packaged hub as a child
 * process as the Dockerfile runs it ({@code startup shipped}: unpacked, with a class data
 * sharing archive) and as a plain {@code java -jar} ({@code startup jar}), each against a
 * fresh schema (migrated by Flyway beforehand) that already holds one PENDING
 * order.placed event: the wall time from launch to that event's delivery to a consumer of
 * the benchmark, and to {@code /readyz} answering UP. The consumer subscribes as soon as
 * the hub has declared the queue (checked every 10 ms); a message that waited for it
 * counts from its delivery, so the figure is at most 10 ms high. Also the hub's CPU time
 * from launch to the event and its RSS then.
 */
final class StartupMode implements BenchMode {

	@Override
	public List<BenchResult> run(BenchSettings settings) throws Exception {
		return List.of(measure(settings, HubProcess.Layout.SHIPPED), measure(settings, HubProcess.Layout.JAR));
	}

	private BenchResult measure(BenchSettings settings, HubProcess.Layout layout) throws Exception {
		String mode = "startup " + layout.name().toLowerCase(Locale.ROOT);
		List<String> jvmOptions = List.of();
		List<Long> toEvent = new ArrayList<>();
		List<Long> toReady = new ArrayList<>();
		List<Long> cpu = new ArrayList<>();
		long rss = -1;
		for (int run = 1; run <= settings.startupRuns(); run++) {
			TestTopology topology = TestTopology.unique("bench_start");
			try {
				Launch launch = launchOnce(settings, topology, layout);
				long[] measured = launch.measured();
				jvmOptions = launch.jvmOptions();
				toEvent.add(measured[0]);
				toReady.add(measured[1]);
				cpu.add(measured[2]);
				rss = Math.max(rss, measured[3]);
				System.out.printf(Locale.ROOT,
						"%s run %d: launch -> event in queue %,d ms, launch -> /readyz UP %,d ms, hub CPU %,d ms, "
								+ "RSS %d MB%n",
						mode, run, measured[0], measured[1], measured[2], measured[3] / 1024 / 1024);
			}
			finally {
				topology.cleanup();
			}
		}
		long medianEvent = median(toEvent);
		long medianReady = median(toReady);
		System.out.printf(Locale.ROOT, "%s: median launch -> event %,d ms, launch -> /readyz UP %,d ms%n", mode,
				medianEvent, medianReady);
		String note = String.format(Locale.ROOT,
				"launch->event %s ms, median %,d; launch->/readyz UP %s ms, median %,d; hub CPU to event median %,d ms; "
						+ "JVM %s",
				toEvent, medianEvent, toReady, medianReady, median(cpu), String.join(" ", jvmOptions));
		return new BenchResult(mode, toEvent.size(), (toEvent.size() == 1) ? "launch" : "launches", Double.NaN,
				medianEvent, Double.NaN, Double.NaN, Double.NaN, rss / 1024.0 / 1024.0, "hub process (at the event)",
				note);
	}

	/**
	 * @param measured launch->event ms, launch->ready ms, CPU ms to the event, RSS bytes
	 * at the event
	 * @param jvmOptions the hub's JVM options
	 */
	private record Launch(long[] measured, List<String> jvmOptions) {
	}

	private static Launch launchOnce(BenchSettings settings, TestTopology topology, HubProcess.Layout layout)
			throws Exception {
		OutboxRows rows = new OutboxRows(topology, 1);
		rows.migrate();
		OutboxFixtures.insert(topology.schema(), OutboxFixtures.example("order.placed"));
		Map<String, Object> hubSettings = settings.relayHubSettings();
		AtomicLong arrived = new AtomicLong();
		String queue = topology.queue("order.events");
		try (Watcher consumer = new Watcher();
				HubProcess hub = HubProcess.launch("bench-startup", topology, hubSettings, settings.hubJvmOptions(),
						layout)) {
			Thread watcher = new Thread(() -> consumer.subscribeWhenDeclared(queue, arrived), "bench-startup-watcher");
			watcher.setDaemon(true);
			watcher.start();
			long ready = hub.awaitReady(Duration.ofSeconds(120));
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
			while (arrived.get() == 0) {
				hub.requireAlive();
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("the event did not arrive within 120 s; log " + hub.log());
				}
				HubProcess.sleep(5);
			}
			long cpuMs = hub.stats().cpuNanos() / 1_000_000;
			long rss = hub.stats().rssBytes();
			watcher.interrupt();
			return new Launch(new long[] { (arrived.get() - hub.launchedNanos()) / 1_000_000,
					(ready - hub.launchedNanos()) / 1_000_000, cpuMs, rss }, hub.jvmOptions());
		}
	}

	/**
	 * The benchmark's consumer of the event. RabbitMQ 3.10 crashes a channel that
	 * consumes from a quorum queue declared a moment before, while the queue's Raft
	 * member is not running yet ({@code badmatch, {error, noproc}} in
	 * {@code rabbit_quorum_queue:consume}), and closes its connection; the client's
	 * automatic recovery then came back 5 s later, and three launches were measured about
	 * 4 s late for it. So: no automatic recovery, and a new connection at once.
	 */
	private static final class Watcher implements AutoCloseable {

		private final com.rabbitmq.client.ConnectionFactory factory = TestServices.rabbit();

		private volatile com.rabbitmq.client.Connection connection;

		Watcher() {
			this.factory.setAutomaticRecoveryEnabled(false);
		}

		void subscribeWhenDeclared(String queue, AtomicLong arrived) {
			while (!Thread.currentThread().isInterrupted()) {
				Channel channel = null;
				try {
					if (this.connection == null || !this.connection.isOpen()) {
						this.connection = this.factory.newConnection("bench-startup");
					}
					channel = this.connection.createChannel();
					if (channel != null) {
						channel.queueDeclarePassive(queue);
						channel.basicConsume(queue, true,
								(tag, delivery) -> arrived.compareAndSet(0, System.nanoTime()), tag -> {
								});
						return;
					}
				}
				catch (IOException | java.util.concurrent.TimeoutException | RuntimeException ex) {
					// Not declared yet (the broker closed the channel), or the broker
					// closed the connection. A failure of any other kind must not end
					// this thread either, or the benchmark waits in vain.
					closeQuietly(channel);
				}
				HubProcess.sleep(10);
			}
		}

		@Override
		public void close() throws IOException {
			com.rabbitmq.client.Connection open = this.connection;
			if (open != null && open.isOpen()) {
				open.close();
			}
		}

	}

	private static void closeQuietly(Channel channel) {
		if (channel != null && channel.isOpen()) {
			try {
				channel.abort();
			}
			catch (IOException | RuntimeException ex) {
				// Already closing.
			}
		}
	}

	static long median(List<Long> values) {
		List<Long> sorted = values.stream().sorted().toList();
		return sorted.isEmpty() ? -1 : sorted.get((sorted.size() - 1) / 2);
	}

}

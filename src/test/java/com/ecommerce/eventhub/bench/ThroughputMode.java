package com.ecommerce.eventhub.bench;

import java.sql.Connection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.ecommerce.eventhub.support.HubInstance;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.CamelContext;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code throughput}: seeds {@code bench.events} order.placed rows with the relay stopped
 * (a hub in this JVM), starts the relay's workers and measures until no row is pending:
 * events/s, and this JVM's CPU time in that window (the hub's relay; the benchmark only
 * counts pending rows every 200 ms meanwhile) per 1,000 events.
 */
final class ThroughputMode implements BenchMode {

	@Override
	public List<BenchResult> run(BenchSettings settings) throws Exception {
		TestTopology topology = TestTopology.unique("bench_tp");
		try {
			return List.of(measure(settings, topology));
		}
		finally {
			topology.cleanup();
		}
	}

	private BenchResult measure(BenchSettings settings, TestTopology topology) throws Exception {
		Map<String, Object> hubSettings = settings.relayHubSettings();
		hubSettings.put("hub.relay.enabled", false);
		OutboxRows rows = new OutboxRows(topology, settings.aggregates());
		try (ConfigurableApplicationContext hub = HubInstance.start("bench-throughput", topology, hubSettings)) {
			long seedStart = System.nanoTime();
			rows.seed(settings.events());
			System.out.printf(Locale.ROOT, "throughput: seeded %,d rows in %.1f s%n", settings.events(),
					(System.nanoTime() - seedStart) / 1e9);

			CamelContext camel = hub.getBean(CamelContext.class);
			Window window = Window.open(ProcessStats.self(), "throughput");
			for (int worker = 0; worker < settings.workers(); worker++) {
				camel.getRouteController().startRoute("outbox-relay-" + worker);
			}
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
			try (Connection db = TestServices.jdbc()) {
				while (rows.pending(db) > 0) {
					if (System.nanoTime() > deadline) {
						throw new IllegalStateException("the relay did not drain the outbox within 10 minutes");
					}
					HubProcess.sleep(200);
				}
			}
			Window.Measured measured = window.stop();
			long queued = rows.queueDepth(topology.queue("order.events"));
			System.out.printf(Locale.ROOT,
					"throughput: %,d events relayed in %.2f s = %,.0f events/s (queue holds %,d), CPU %.2f cores%n",
					settings.events(), measured.seconds(), settings.events() / measured.seconds(), queued,
					measured.cores());
			String phases = printPhases(hub);
			rows.purge(topology.queue("order.events"));
			return BenchResult.of("throughput", settings.events(), "events", measured, "bench JVM (hub in-process)",
					String.format(Locale.ROOT, "batch %d, %d workers, %s queue; per batch %s", settings.batchSize(),
							settings.workers(), settings.queueType(), phases));
		}
	}

	/**
	 * Prints the relay's per-phase means of this run.
	 * @param hub the hub
	 * @return the means in one line
	 */
	static String printPhases(ConfigurableApplicationContext hub) {
		StringBuilder line = new StringBuilder();
		for (Timer timer : hub.getBean(MeterRegistry.class).find("eventhub.relay.batch.phase").timers()) {
			System.out.printf(Locale.ROOT, "  phase %-9s batches %,6d  mean %7.2f ms  max %7.2f ms%n",
					timer.getId().getTag("phase"), timer.count(), timer.mean(TimeUnit.MILLISECONDS),
					timer.max(TimeUnit.MILLISECONDS));
			line.append((line.length() == 0) ? "" : ", ")
				.append(String.format(Locale.ROOT, "%s %.0f ms", timer.getId().getTag("phase"),
						timer.mean(TimeUnit.MILLISECONDS)));
		}
		return line.toString();
	}

}

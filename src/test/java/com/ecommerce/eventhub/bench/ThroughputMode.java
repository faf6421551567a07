package com.ecommerce.eventhub.bench;

import java.sql.Connection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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
 * counts pending rows every 200 ms meanwhile) per 1,000 events. That first round runs on
 * a cold relay path, so its CPU includes the JIT compiling it; the same hub then stops
 * its workers, is seeded again and drains a second round ({@code throughput warm}): the
 * relay's CPU per event once compiled, which is what a long-running hub spends. Before
 * the second round the benchmark waits until the JIT compilers are idle (start-up leaves
 * them busy), and each round notes the compilers' time in its window.
 */
final class ThroughputMode implements BenchMode {

	@Override
	public List<BenchResult> run(BenchSettings settings) throws Exception {
		TestTopology topology = TestTopology.unique("bench_tp");
		try {
			return measure(settings, topology);
		}
		finally {
			topology.cleanup();
		}
	}

	private List<BenchResult> measure(BenchSettings settings, TestTopology topology) throws Exception {
		Map<String, Object> hubSettings = settings.relayHubSettings();
		hubSettings.put("hub.relay.enabled", false);
		OutboxRows rows = new OutboxRows(topology, settings.aggregates());
		try (ConfigurableApplicationContext hub = HubInstance.start("bench-throughput", topology, hubSettings)) {
			BenchResult cold = round("throughput", false, hub, settings, topology, rows);
			CamelContext camel = hub.getBean(CamelContext.class);
			for (int worker = 0; worker < settings.workers(); worker++) {
				camel.getRouteController().stopRoute("outbox-relay-" + worker);
			}
			return List.of(cold, round("throughput warm", true, hub, settings, topology, rows));
		}
	}

	private BenchResult round(String name, boolean warm, ConfigurableApplicationContext hub, BenchSettings settings,
			TestTopology topology, OutboxRows rows) throws Exception {
		Map<String, double[]> phasesBefore = phaseTotals(hub);
		long seedStart = System.nanoTime();
		rows.seed(settings.events());
		System.out.printf(Locale.ROOT, "%s: seeded %,d rows in %.1f s%n", name, settings.events(),
				(System.nanoTime() - seedStart) / 1e9);

		if (warm) {
			// After the seeding, whose own code the JIT compiles too.
			System.out.printf(Locale.ROOT, "%s: waited %.1f s for the JIT compilers to go quiet%n", name,
					Window.awaitQuietJit(120));
		}
		CamelContext camel = hub.getBean(CamelContext.class);
		Window window = Window.open(ProcessStats.self(), name.replace(' ', '-'));
		for (int worker = 0; worker < settings.workers(); worker++) {
			camel.getRouteController().startRoute("outbox-relay-" + worker);
		}
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
		try (Connection db = TestServices.jdbc()) {
			// Whether any row is left, not how many: counting 100,000 pending rows took
			// PostgreSQL 40 ms, every poll, on the cores the relay is measured on.
			while (rows.anyPending(db)) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("the relay did not drain the outbox within 10 minutes");
				}
				HubProcess.sleep(50);
			}
		}
		Window.Measured measured = window.stop();
		long queued = rows.queueDepth(topology.queue("order.events"));
		System.out.printf(Locale.ROOT,
				"%s: %,d events relayed in %.2f s = %,.0f events/s (queue holds %,d), CPU %.2f cores, %s%n", name,
				settings.events(), measured.seconds(), settings.events() / measured.seconds(), queued, measured.cores(),
				measured.jit(settings.events()));
		String phases = printPhases(hub, phasesBefore);
		rows.purge(topology.queue("order.events"));
		return BenchResult.of(name, settings.events(), "events", measured, "bench JVM (hub in-process)",
				String.format(Locale.ROOT, "batch %d, %d workers, %s queue; per batch %s", settings.batchSize(),
						settings.workers(), settings.queueType(), phases));
	}

	/**
	 * The relay's phase timers so far: batches and total time per phase.
	 * @param hub the hub
	 * @return by phase, {count, total ms}
	 */
	static Map<String, double[]> phaseTotals(ConfigurableApplicationContext hub) {
		Map<String, double[]> totals = new TreeMap<>();
		for (Timer timer : hub.getBean(MeterRegistry.class).find("eventhub.relay.batch.phase").timers()) {
			totals.put(timer.getId().getTag("phase"),
					new double[] { timer.count(), timer.totalTime(TimeUnit.MILLISECONDS) });
		}
		return totals;
	}

	/**
	 * Prints the relay's per-phase means since an earlier {@link #phaseTotals}.
	 * @param hub the hub
	 * @param before the totals when the round began
	 * @return the means in one line
	 */
	static String printPhases(ConfigurableApplicationContext hub, Map<String, double[]> before) {
		StringBuilder line = new StringBuilder();
		phaseTotals(hub).forEach((phase, now) -> {
			double[] then = before.getOrDefault(phase, new double[2]);
			double batches = now[0] - then[0];
			double mean = (batches == 0) ? Double.NaN : (now[1] - then[1]) / batches;
			System.out.printf(Locale.ROOT, "  phase %-9s batches %,6.0f  mean %7.2f ms%n", phase, batches, mean);
			line.append((line.length() == 0) ? "" : ", ").append(String.format(Locale.ROOT, "%s %.0f ms", phase, mean));
		});
		return line.toString();
	}

}

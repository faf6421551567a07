package com.ecommerce.eventhub.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.ecommerce.eventhub.support.HubInstance;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import org.apache.camel.CamelContext;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code consumer}: the notification route ({@code notification-order-events}: validate,
 * idempotency record, outbox insert of email.notification-requested, ack) fed directly.
 * One and then two hub instances (in this JVM) on one queue, relay off
 * ({@code hub.relay.enabled=false}) so that only the consumer works: the route is
 * stopped, {@code bench.consumerEvents} order.placed envelopes are published into its
 * queue, the route is started, and the window runs until every event has its
 * {@code processed_event} row. The e-mail route runs but gets nothing: its requests stay
 * PENDING in the outbox because no relay publishes them. A warm-up round of as many
 * events goes first, unmeasured (a shorter one left the JIT compiling through most of the
 * measured window), then the benchmark waits until the JIT compilers are idle (at most 2
 * minutes). CPU time is this JVM's (all instances; the benchmark only counts rows every
 * 200 ms meanwhile).
 */
final class ConsumerMode implements BenchMode {

	static final String ROUTE = "notification-order-events";

	@Override
	public List<BenchResult> run(BenchSettings settings) throws Exception {
		List<BenchResult> results = new ArrayList<>();
		for (int instances = 1; instances <= 2; instances++) {
			TestTopology topology = TestTopology.unique("bench_cons" + instances);
			try {
				results.add(measure(settings, topology, instances));
			}
			finally {
				topology.cleanup();
			}
		}
		return results;
	}

	private BenchResult measure(BenchSettings settings, TestTopology topology, int instances) throws Exception {
		Map<String, Object> hubSettings = new HashMap<>();
		hubSettings.put("hub.relay.enabled", false);
		hubSettings.put("logging.level.root", "WARN");
		List<ConfigurableApplicationContext> hubs = new ArrayList<>();
		try {
			for (int index = 0; index < instances; index++) {
				hubs.add(HubInstance.start("bench-consumer-" + index, topology, hubSettings));
			}
			String queue = hubs.get(0).getEnvironment().getRequiredProperty("hub.notifications.queue");
			int events = settings.consumerEvents();
			int warmUp = events;
			try (Connection db = TestServices.jdbc()) {
				// A warm-up round (not measured), so that one instance is not measured
				// with a cold JIT
				// and two with a warm one.
				feed(hubs, queue, warmUp);
				startRoutes(hubs);
				awaitHandled(db, topology, warmUp);
				System.out.printf(Locale.ROOT, "consumer x%d: waited %.1f s for the JIT compilers to go quiet%n",
						instances, Window.awaitQuietJit(120));
				feed(hubs, queue, events);
				Window window = Window.open(ProcessStats.self(), "consumer-x" + instances);
				startRoutes(hubs);
				awaitHandled(db, topology, warmUp + events);
				Window.Measured measured = window.stop();
				long requests = count(db, topology, "outbox_event WHERE event_type = 'email.notification-requested'")
						- warmUp;
				System.out.printf(Locale.ROOT,
						"consumer x%d: %,d events handled in %.2f s = %,.0f events/s, %,d e-mail requests "
								+ "written, CPU %.2f cores, %s%n",
						instances, events, measured.seconds(), events / measured.seconds(), requests, measured.cores(),
						measured.jit(events));
				return BenchResult.of("consumer x" + instances, events, "events", measured,
						"bench JVM (" + instances + " hub" + ((instances > 1) ? "s" : "") + " in-process)",
						String.format(Locale.ROOT, "%s only, relay off; %,d e-mail requests written; %s", ROUTE,
								requests, measured.jit(events)));
			}
		}
		finally {
			for (ConfigurableApplicationContext hub : hubs) {
				hub.close();
			}
		}
	}

	/** Stops the route on every instance and fills its queue. */
	private static void feed(List<ConfigurableApplicationContext> hubs, String queue, int events) throws Exception {
		for (ConfigurableApplicationContext hub : hubs) {
			hub.getBean(CamelContext.class).getRouteController().stopRoute(ROUTE);
		}
		OutboxRows.publishToQueue(queue, OutboxFixtures.example("order.placed"), events);
	}

	private static void startRoutes(List<ConfigurableApplicationContext> hubs) throws Exception {
		for (ConfigurableApplicationContext hub : hubs) {
			hub.getBean(CamelContext.class).getRouteController().startRoute(ROUTE);
		}
	}

	private static void awaitHandled(Connection db, TestTopology topology, long events) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
		while (count(db, topology, "processed_event") < events) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(
						"the notification route did not handle " + events + " events within 10 minutes");
			}
			HubProcess.sleep(200);
		}
	}

	private static long count(Connection db, TestTopology topology, String from) throws Exception {
		try (Statement statement = db.createStatement();
				ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + topology.schema() + "." + from)) {
			rs.next();
			return rs.getLong(1);
		}
	}

}

package com.ecommerce.eventhub.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code ingestion}: {@code POST /api/v1/events} of the packaged hub (a child process,
 * relay and e-mail routes off, so that only ingestion works) with an API key,
 * {@code bench.clients} (16) concurrent clients, each on its own keep-alive HTTP/1.1
 * connection (a minimal socket client, {@link KeepAliveClient}, so that the load
 * generator takes little CPU from the hub), posting for {@code bench.seconds} (30) after
 * a warm-up of {@code bench.ingestionWarmup} (60) s and a wait (at most 60 s) until the
 * hub's JIT compiler threads are idle. Under this load the one C2 compiler thread needs
 * about a minute for the request path: after 10 s it still took a third of the hub's CPU
 * in the window, after 60 s a thirtieth. First single order.placed events (the hub
 * generates each eventId), then arrays of 100. Accepted events/s (202 answers),
 * answer-time percentiles per request, and the hub process's CPU time (/proc) per 1,000
 * accepted events and RSS at the end of each phase; the notes give the JIT compiler
 * threads' share.
 */
final class IngestionMode implements BenchMode {

	private static final String API_KEY = "bench-key-abcdefghijklmnop";

	@Override
	public List<BenchResult> run(BenchSettings settings) throws Exception {
		TestTopology topology = TestTopology.unique("bench_ing");
		Map<String, Object> hubSettings = new HashMap<>();
		hubSettings.put("hub.relay.enabled", false);
		hubSettings.put("hub.notifications.enabled", false);
		hubSettings.put("logging.level.root", "WARN");
		hubSettings.put("hub.security.api-keys[0].name", "bench");
		hubSettings.put("hub.security.api-keys[0].key", API_KEY);
		hubSettings.put("hub.security.api-keys[0].event-types", "*");
		try (HubProcess hub = HubProcess.launch("bench-ingestion", topology, hubSettings, settings.hubJvmOptions(),
				settings.hubLaunch())) {
			hub.awaitReady(Duration.ofSeconds(120));
			ObjectNode event = OutboxFixtures.example("order.placed");
			event.remove("eventId");
			String single = event.toString();
			String batch = "[" + String.join(",", java.util.Collections.nCopies(100, single)) + "]";
			URI uri = URI.create("http://127.0.0.1:" + hub.port() + "/api/v1/events");
			post(uri, single, 1, settings.clients(), settings.ingestionWarmup(), null, hub);
			System.out.printf(Locale.ROOT, "ingestion: waited %.1f s for the hub's JIT compilers to go quiet%n",
					Window.awaitQuietJit(hub.stats(), 60));
			List<BenchResult> results = new ArrayList<>();
			results.add(post(uri, single, 1, settings.clients(), settings.seconds(), "ingestion", hub));
			results.add(post(uri, batch, 100, settings.clients(), settings.seconds(), "ingestion-batch100", hub));
			return results;
		}
		finally {
			topology.cleanup();
		}
	}

	private static BenchResult post(URI uri, String body, int eventsPerRequest, int clients, int seconds, String mode,
			HubProcess hub) throws Exception {
		AtomicLong accepted = new AtomicLong();
		AtomicLong refused = new AtomicLong();
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		List<Future<long[]>> futures = new ArrayList<>();
		Window window = Window.open(hub.stats(), (mode != null) ? mode : "ingestion-warm-up");
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
		for (int client = 0; client < clients; client++) {
			futures.add(pool.submit(() -> {
				try (KeepAliveClient http = new KeepAliveClient(uri.getHost(), uri.getPort(), uri.getPath(),
						"X-API-Key: " + API_KEY + "\r\n", body)) {
					long[] latencies = new long[1024];
					int count = 0;
					while (System.nanoTime() < end) {
						long start = System.nanoTime();
						int status = http.post();
						long took = System.nanoTime() - start;
						if (status == 202) {
							accepted.addAndGet(eventsPerRequest);
						}
						else {
							refused.incrementAndGet();
						}
						if (count == latencies.length) {
							latencies = Arrays.copyOf(latencies, count * 2);
						}
						latencies[count++] = took;
					}
					return Arrays.copyOf(latencies, count);
				}
			}));
		}
		List<long[]> all = new ArrayList<>();
		for (Future<long[]> future : futures) {
			all.add(future.get());
		}
		Window.Measured measured = window.stop();
		pool.shutdown();
		long[] latencies = all.stream().flatMapToLong(Arrays::stream).toArray();
		Percentiles percentiles = Percentiles.of(latencies);
		if (mode == null) {
			System.out.printf(Locale.ROOT, "ingestion warm-up: %,d requests%n", latencies.length);
			return null;
		}
		System.out.printf(Locale.ROOT,
				"%s: %,d events accepted in %.2f s = %,.0f events/s (%,d requests, %,.0f requests/s, %,d refused); "
						+ "answer p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; hub CPU %.2f cores, %s%n",
				mode, accepted.get(), measured.seconds(), accepted.get() / measured.seconds(), latencies.length,
				latencies.length / measured.seconds(), refused.get(), percentiles.ms(50), percentiles.ms(95),
				percentiles.ms(99), percentiles.ms(100), measured.cores(), measured.jit(latencies.length));
		return BenchResult.of(mode, accepted.get(), "events", measured, percentiles, "hub process (end of window)",
				String.format(Locale.ROOT,
						"%d clients, %d event%s per POST, %,.0f POST/s%s, relay off; per request: %s", clients,
						eventsPerRequest, (eventsPerRequest > 1) ? "s" : "", latencies.length / measured.seconds(),
						(refused.get() > 0) ? String.format(Locale.ROOT, ", %,d NOT 202", refused.get()) : "",
						measured.jit(latencies.length)));
	}

}

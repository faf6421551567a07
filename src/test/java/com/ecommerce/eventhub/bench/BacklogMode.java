package com.ecommerce.eventhub.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;

/**
 * {@code backlog}: {@code bench.backlogEvents} (1,000,000) PENDING order.placed rows,
 * seeded in one INSERT ... SELECT before any hub runs, then ANALYZE; an EXPLAIN ANALYZE
 * of the relay's claim ({@code sql/claim-outbox-batch.sql}, worker 0 of
 * {@code bench.workers}) at that size; then the packaged hub as a child process (its JVM
 * options printed) drains them. The drain window runs from the first PUBLISHED row to the
 * last PENDING one: events/s, the hub process's CPU time (/proc) per 1,000 events, and
 * its peak VmRSS sampled every 250 ms in the window. The claim phase's mean and max come
 * from the hub's {@code /actuator/prometheus}. The queue is purged every 5 s so the
 * broker does not hold a million messages.
 */
final class BacklogMode implements BenchMode {

	/**
	 * camel-sql's {@code :#name} or Spring's {@code :name}, not a {@code ::type} cast.
	 */
	private static final Pattern PARAMETER = Pattern.compile("(?<!:):#?([A-Za-z]\\w*)");

	@Override
	public List<BenchResult> run(BenchSettings settings) throws Exception {
		TestTopology topology = TestTopology.unique("bench_backlog");
		try {
			return List.of(measure(settings, topology));
		}
		finally {
			topology.cleanup();
		}
	}

	private BenchResult measure(BenchSettings settings, TestTopology topology) throws Exception {
		int events = settings.backlogEvents();
		OutboxRows rows = new OutboxRows(topology, settings.aggregates());
		rows.migrate();
		long seedStart = System.nanoTime();
		rows.seedInOneStatement(events);
		System.out.printf(Locale.ROOT, "backlog: seeded %,d rows in one statement and analyzed in %.1f s%n", events,
				(System.nanoTime() - seedStart) / 1e9);
		double explained = explainClaim(topology, settings);
		System.out.printf(Locale.ROOT, "backlog: EXPLAIN ANALYZE of the claim at %,d pending rows: %.1f ms%n", events,
				explained);

		Map<String, Object> hubSettings = settings.relayHubSettings();
		String queue = topology.queue("order.events");
		try (HubProcess hub = HubProcess.launch("bench-backlog", topology, hubSettings, settings.hubJvmOptions(),
				settings.hubLaunch()); Connection db = TestServices.jdbc()) {
			System.out.printf(Locale.ROOT, "backlog: hub pid %d, JVM options %s, log %s%n", hub.pid(), hub.jvmOptions(),
					hub.log());
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
			while (rows.count(db, "status = 'PUBLISHED' AND id <= (SELECT min(id) + 1000 FROM " + topology.schema()
					+ ".outbox_event)") == 0) {
				hub.requireAlive();
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("the hub published nothing within 2 minutes; log " + hub.log());
				}
				HubProcess.sleep(20);
			}
			Window window = Window.open(hub.stats(), "backlog");
			long startupMs = (System.nanoTime() - hub.launchedNanos()) / 1_000_000;
			deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(60);
			long lastPurge = System.nanoTime();
			while (rows.anyPending(db)) {
				hub.requireAlive();
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("the backlog was not drained within 60 minutes");
				}
				if (System.nanoTime() - lastPurge > TimeUnit.SECONDS.toNanos(5)) {
					rows.purge(queue);
					lastPurge = System.nanoTime();
				}
				HubProcess.sleep(250);
			}
			Window.Measured measured = window.stop();
			long hwm = hub.stats().peakRssBytes();
			String claim = claimPhase(hub.prometheus());
			System.out.printf(Locale.ROOT,
					"backlog: %,d events drained in %.1f s = %,.0f events/s; hub CPU %.2f cores; RSS peak in drain "
							+ "%.0f MB, at end %.0f MB, VmHWM %.0f MB; claim %s%n",
					events, measured.seconds(), events / measured.seconds(), measured.cores(), measured.peakRssMb(),
					measured.rssMb(), hwm / 1024.0 / 1024.0, claim);
			rows.purge(queue);
			return BenchResult.of("backlog", events, "events", measured.peak(), "hub process (peak in drain)", String
				.format(Locale.ROOT,
						"JVM %s; claim %s, EXPLAIN ANALYZE %.1f ms; VmHWM %.0f MB; first publish %.1f s after launch",
						String.join(" ", hub.jvmOptions()), claim, explained, hwm / 1024.0 / 1024.0,
						startupMs / 1000.0));
		}
	}

	/**
	 * Runs the relay's claim under EXPLAIN ANALYZE, with its plan settings, in a
	 * transaction that is rolled back (the claim locks rows).
	 * @return the execution time in ms, NaN when the statement could not be prepared
	 */
	private static double explainClaim(TestTopology topology, BenchSettings settings) throws Exception {
		String claim = resource("/sql/claim-outbox-batch.sql");
		String planSettings = resource("/sql/claim-plan-settings.sql");
		Map<String, String> values = Map.of("workerCount", Integer.toString(settings.workers()), "workerIndex", "0",
				"batchSize", Integer.toString(settings.batchSize()), "maxEventBytes", Integer.toString(256 * 1024),
				"maxBatchBytes", Integer.toString(8 * 1024 * 1024));
		String sql = bind(stripComments(claim), values);
		if (sql == null) {
			System.out.println("backlog: the claim has a parameter this benchmark does not know; no EXPLAIN");
			return Double.NaN;
		}
		try (Connection db = TestServices.jdbc(); Statement statement = db.createStatement()) {
			db.setAutoCommit(false);
			statement.execute("SET LOCAL search_path TO " + topology.schema());
			if (planSettings != null) {
				statement.execute(stripComments(planSettings));
			}
			double millis = Double.NaN;
			try (ResultSet rs = statement.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
				while (rs.next()) {
					String line = rs.getString(1);
					if (line.startsWith("Execution Time:")) {
						millis = Double.parseDouble(line.replaceAll("[^0-9.]", ""));
					}
				}
			}
			db.rollback();
			return millis;
		}
		catch (SQLException ex) {
			// The figure is a bonus: the drain is still measured.
			System.out.println("backlog: EXPLAIN ANALYZE of the claim failed: " + ex.getMessage());
			return Double.NaN;
		}
	}

	/**
	 * Puts values in place of a statement's named parameters.
	 * @param sql the statement
	 * @param values the values by parameter name
	 * @return the statement, or null when it names a parameter without a value
	 */
	static String bind(String sql, Map<String, String> values) {
		Matcher matcher = PARAMETER.matcher(sql);
		StringBuilder bound = new StringBuilder();
		while (matcher.find()) {
			String value = values.get(matcher.group(1));
			if (value == null) {
				return null;
			}
			matcher.appendReplacement(bound, value);
		}
		matcher.appendTail(bound);
		return bound.toString();
	}

	private static String stripComments(String sql) {
		return sql.replaceAll("(?m)--.*$", "").trim().replaceAll(";\\s*$", "");
	}

	private static String resource(String path) throws IOException {
		try (InputStream in = BacklogMode.class.getResourceAsStream(path)) {
			return (in != null) ? new String(in.readAllBytes(), StandardCharsets.UTF_8) : null;
		}
	}

	/**
	 * @param scrape the hub's Prometheus text
	 * @return the claim phase's mean and max, e.g. {@code mean 12.3 ms, max 40.1 ms}
	 */
	static String claimPhase(String scrape) {
		double sum = Double.NaN;
		double count = Double.NaN;
		double max = Double.NaN;
		for (String line : scrape.split("\n")) {
			if (!line.startsWith("eventhub_relay_batch_phase_seconds") || !line.contains("phase=\"claim\"")) {
				continue;
			}
			double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
			if (line.startsWith("eventhub_relay_batch_phase_seconds_sum")) {
				sum = value;
			}
			else if (line.startsWith("eventhub_relay_batch_phase_seconds_count")) {
				count = value;
			}
			else if (line.startsWith("eventhub_relay_batch_phase_seconds_max")) {
				max = value;
			}
		}
		return String.format(Locale.ROOT, "mean %.1f ms, max %.1f ms over %,.0f batches", sum / count * 1000,
				max * 1000, count);
	}

}

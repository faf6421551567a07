package com.ecommerce.eventhub.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.ecommerce.eventhub.support.HubInstance;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.rabbitmq.client.Channel;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Soak benchmark (not part of {@code verify}): the whole hub, relay, notification and
 * e-mail routes and SMTP (GreenMail), under a steady load of {@code order.placed} events
 * for {@code soak.minutes} (10).
 *
 * <p>
 * First it measures the pipeline's sustainable rate: {@code soak.probeOrders} (3,000)
 * orders written at once, orders per second until the last mail arrived. Then it writes
 * orders at {@code soak.share} (70 %) of that rate, one small transaction every 100 ms,
 * and every {@code soak.sampleSeconds} (30 s) prints the backlog (outbox rows waiting and
 * messages in the consumer queues, in seconds of traffic), the threads, and once a minute
 * from minute 2 on, under load, the heap after a forced GC. After the load it waits for
 * the backlog to drain and reads the outbox's dead tuples. The verdict lines check the
 * soak's criteria: heap within 10 % between minute 2 and the last minute, thread count
 * flat, backlog never above 5 s of traffic and empty 30 s after the load, dead tuples
 * reclaimed.
 *
 * <p>
 * Run:
 * {@code ./mvnw -Pbenchmark test-compile exec:java -Dbench.main=com.ecommerce.eventhub.bench.SoakBenchmark}
 * (add {@code -Dsoak.minutes=2} for a short look, {@code -Dsoak.rate=N} to skip the
 * probe).
 */
public final class SoakBenchmark {

	private static final String INSERT = "INSERT INTO %s.outbox_event (event_id, event_type, event_version, "
			+ "aggregate_type, aggregate_id, correlation_id, metadata, payload) "
			+ "VALUES (?::uuid, 'order.placed', '1.0', 'Order', ?, ?, ?::jsonb, ?::jsonb)";

	private final TestTopology topology = TestTopology.unique("soak");

	private final int minutes = Integer.getInteger("soak.minutes", 10);

	private final int sampleSeconds = Integer.getInteger("soak.sampleSeconds", 30);

	private final double share = Double.parseDouble(System.getProperty("soak.share", "0.7"));

	private final int probeOrders = Integer.getInteger("soak.probeOrders", 3_000);

	private final String metadata;

	private final String payload;

	private GreenMail smtp;

	private SoakBenchmark() {
		ObjectNode example = OutboxFixtures.example("order.placed");
		this.metadata = example.get("metadata").toString();
		this.payload = example.get("payload").toString();
	}

	public static void main(String[] args) throws Exception {
		SoakBenchmark benchmark = new SoakBenchmark();
		try {
			benchmark.run();
		}
		finally {
			if (benchmark.smtp != null) {
				benchmark.smtp.stop();
			}
			benchmark.topology.cleanup();
		}
		System.exit(0);
	}

	private void run() throws Exception {
		int smtpPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			smtpPort = socket.getLocalPort();
		}
		this.smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
		this.smtp.start();
		Map<String, Object> settings = new HashMap<>();
		settings.put("hub.mail.host", "127.0.0.1");
		settings.put("hub.mail.port", smtpPort);
		settings.put("hub.routes.enabled", false);
		settings.put("logging.level.root", "WARN");
		System.out.printf(Locale.ROOT, "machine: %d cores, %s; PostgreSQL and RabbitMQ on localhost%n",
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"));
		try (ConfigurableApplicationContext hub = HubInstance.start("soak", this.topology, settings)) {
			Integer given = Integer.getInteger("soak.rate");
			double maximum = (given != null) ? given / this.share : probe();
			int rate = (int) Math.max(1, Math.round(maximum * this.share));
			System.out.printf(Locale.ROOT,
					"SOAK: %d min at %d orders/s (%.0f %% of %.0f orders/s); each order is "
							+ "3 outbox events, 2 consumer steps and a mail%n",
					this.minutes, rate, this.share * 100, maximum);
			soak(rate);
		}
	}

	/**
	 * Orders per second the whole pipeline finishes when it is given all of them at once.
	 */
	private double probe() throws Exception {
		long mailsBefore = mails();
		long start = System.nanoTime();
		try (Connection db = TestServices.jdbc();
				PreparedStatement insert = db.prepareStatement(INSERT.formatted(this.topology.schema()))) {
			db.setAutoCommit(false);
			for (int i = 0; i < this.probeOrders; i++) {
				addOrder(insert);
			}
			insert.executeBatch();
			db.commit();
		}
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
		while (mails() < mailsBefore + this.probeOrders) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("the probe's mails did not arrive within 10 minutes");
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
		}
		double rate = this.probeOrders / ((System.nanoTime() - start) / 1e9);
		System.out.printf(Locale.ROOT, "probe: %,d orders to mails in %.1f s = %.0f orders/s%n", this.probeOrders,
				(System.nanoTime() - start) / 1e9, rate);
		return rate;
	}

	private void soak(int rate) throws Exception {
		AtomicBoolean loading = new AtomicBoolean(true);
		AtomicLong written = new AtomicLong();
		long mailsBefore = mails();
		Thread producer = new Thread(() -> produce(rate, loading, written), "soak-producer");
		long start = System.nanoTime();
		producer.start();
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		List<Double> backlogSeconds = new ArrayList<>();
		List<Integer> threadCounts = new ArrayList<>();
		long heapAtTwo = -1;
		long heapAtEnd = -1;
		double lastHeapMinute = 1;
		long end = start + TimeUnit.MINUTES.toNanos(this.minutes);
		System.out.printf(Locale.ROOT, "%7s %12s %10s %10s %9s %8s %12s%n", "minute", "orders", "mails", "backlog",
				"backlog_s", "threads", "heap_MB");
		while (System.nanoTime() < end) {
			LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(this.sampleSeconds));
			this.smtp.purgeEmailFromAllMailboxes();
			double minute = (System.nanoTime() - start) / 60e9;
			long backlog = backlog();
			// Each order is three outbox events and two consumer messages: its backlog in
			// seconds of traffic.
			double seconds = backlog / (rate * 5.0);
			backlogSeconds.add(seconds);
			threadCounts.add(threads.getThreadCount());
			String heap = "";
			// Heap after a forced GC once a minute from minute 2 on, under load: minute 2
			// and the last sample compare like with like.
			if (minute >= 2 && Math.floor(minute) > lastHeapMinute) {
				lastHeapMinute = Math.floor(minute);
				heapAtEnd = heapAfterGc();
				heapAtTwo = (heapAtTwo < 0) ? heapAtEnd : heapAtTwo;
				heap = String.valueOf(heapAtEnd / (1024 * 1024));
			}
			System.out.printf(Locale.ROOT, "%7.1f %12d %10d %10d %9.2f %8d %12s%n", minute, written.get(),
					mails() - mailsBefore, backlog, seconds, threads.getThreadCount(), heap);
		}
		loading.set(false);
		producer.join();
		long stopped = System.nanoTime();
		long drainDeadline = stopped + TimeUnit.SECONDS.toNanos(30);
		while (backlog() > 0 || mails() - mailsBefore < written.get()) {
			if (System.nanoTime() > drainDeadline) {
				break;
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
		}
		double drained = (System.nanoTime() - stopped) / 1e9;
		boolean empty = backlog() == 0 && mails() - mailsBefore >= written.get();
		LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(60)); // give the vacuum its turn
		long[] tuples = outboxTuples();

		double maxBacklog = backlogSeconds.stream().mapToDouble(Double::doubleValue).max().orElse(0);
		int firstThreads = threadCounts.isEmpty() ? 0 : threadCounts.get(Math.min(3, threadCounts.size() - 1));
		int lastThreads = threadCounts.isEmpty() ? 0 : threadCounts.get(threadCounts.size() - 1);
		double heapGrowth = (heapAtTwo > 0) ? (heapAtEnd - heapAtTwo) * 100.0 / heapAtTwo : Double.NaN;
		System.out.printf(Locale.ROOT, "orders written %,d, mails %,d%n", written.get(), mails() - mailsBefore);
		verdict("heap after GC, minute 2 -> end: %d MB -> %d MB (%+.1f %%)", Math.abs(heapGrowth) <= 10,
				heapAtTwo / (1024 * 1024), heapAtEnd / (1024 * 1024), heapGrowth);
		verdict("threads, minute 2 -> end: %d -> %d", Math.abs(lastThreads - firstThreads) <= 5, firstThreads,
				lastThreads);
		verdict("backlog at most %.2f s of traffic (limit 5 s)", maxBacklog <= 5, maxBacklog);
		verdict("backlog empty %.1f s after the load stopped (limit 30 s)", empty, drained);
		verdict("outbox dead tuples %,d of %,d live rows after the run (reclaimed by the hub's ops-outbox-vacuum)",
				tuples[1] <= Math.max(1_000, tuples[0] / 10), tuples[1], tuples[0]);
	}

	private void produce(int rate, AtomicBoolean loading, AtomicLong written) {
		long tick = TimeUnit.MILLISECONDS.toNanos(100);
		double perTick = rate / 10.0;
		double owed = 0;
		try (Connection db = TestServices.jdbc();
				PreparedStatement insert = db.prepareStatement(INSERT.formatted(this.topology.schema()))) {
			db.setAutoCommit(false);
			long next = System.nanoTime();
			while (loading.get()) {
				owed += perTick;
				int now = (int) owed;
				owed -= now;
				for (int i = 0; i < now; i++) {
					addOrder(insert);
				}
				if (now > 0) {
					insert.executeBatch();
					db.commit();
					written.addAndGet(now);
				}
				next += tick;
				LockSupport.parkNanos(next - System.nanoTime());
			}
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void addOrder(PreparedStatement insert) throws Exception {
		String eventId = UUID.randomUUID().toString();
		insert.setString(1, eventId);
		insert.setString(2, UUID.randomUUID().toString());
		insert.setString(3, eventId);
		insert.setString(4, this.metadata);
		insert.setString(5, this.payload);
		insert.addBatch();
	}

	/**
	 * Mails sent so far: the {@code email.sent} events the hub wrote, one per mail.
	 * Counted in the outbox because the SMTP server (GreenMail, in this JVM) is emptied
	 * at every sample: the mails it keeps would otherwise be the heap growth the soak
	 * measures.
	 */
	private long mails() throws Exception {
		try (Connection db = TestServices.jdbc();
				Statement statement = db.createStatement();
				ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + this.topology.schema()
						+ ".outbox_event WHERE event_type = 'email.sent'")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	/** Outbox rows waiting plus messages in the two consumer queues. */
	private long backlog() throws Exception {
		long pending;
		try (Connection db = TestServices.jdbc();
				Statement statement = db.createStatement();
				ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + this.topology.schema()
						+ ".outbox_event WHERE status = 'PENDING' AND available_at <= now()")) {
			rs.next();
			pending = rs.getLong(1);
		}
		try (com.rabbitmq.client.Connection rabbit = TestServices.rabbit().newConnection("soak-admin");
				Channel channel = rabbit.createChannel()) {
			return pending + channel.messageCount(this.topology.consumerQueue("notifications"))
					+ channel.messageCount(this.topology.consumerQueue("email"));
		}
	}

	/** Live and dead tuples of the outbox table. */
	private long[] outboxTuples() throws Exception {
		try (Connection db = TestServices.jdbc();
				PreparedStatement query = db.prepareStatement(
						"SELECT n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE schemaname = ? AND relname = 'outbox_event'")) {
			query.setString(1, this.topology.schema());
			try (ResultSet rs = query.executeQuery()) {
				rs.next();
				return new long[] { rs.getLong(1), rs.getLong(2) };
			}
		}
	}

	private static long heapAfterGc() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		for (int i = 0; i < 3; i++) {
			System.gc();
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
		}
		return memory.getHeapMemoryUsage().getUsed();
	}

	private static void verdict(String format, boolean ok, Object... values) {
		System.out.printf(Locale.ROOT, "%s  " + format + "%n", prepend(ok ? "PASS" : "FAIL", values));
	}

	private static Object[] prepend(Object first, Object[] rest) {
		Object[] all = new Object[rest.length + 1];
		all[0] = first;
		System.arraycopy(rest, 0, all, 1, rest.length);
		return all;
	}

}

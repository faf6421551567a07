package com.ecommerce.eventhub.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hostile webhook on a plain socket: it reads a request's head and answers with an
 * answer that never ends, chosen per X-Event-Id (see {@link Answer}). It writes until its
 * write fails (the hub closed the connection) or it gives up after {@link #GIVE_UP}: the
 * endless heads at about 1 MB/s, so neither it nor a hub that keeps reading runs out of
 * memory during a test, the others a little every 100 ms.
 */
public final class EndlessAnswerPeer implements AutoCloseable {

	/** How long one connection is fed at most when the hub never closes it. */
	static final Duration GIVE_UP = Duration.ofSeconds(60);

	private static final Pattern EVENT_ID = Pattern.compile("(?im)^x-event-id:\\s*(\\S+)\\s*$");

	private static final byte[] STATUS_LINE = "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] LINE_START = "X-Big: ".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] LINE_PART = filled(64 * 1024, "");

	private static final byte[] FILLER_LINES = filled(64 * 1024, "X-Filler: ");

	private static final byte[] PROCESSING = "HTTP/1.1 102 Processing\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] BODY_HEAD = "HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n"
		.getBytes(StandardCharsets.US_ASCII);

	private static final byte[] BODY_PART = filled(1024, "");

	private final ServerSocket server;

	private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
		Thread thread = new Thread(runnable, "endless-answer-peer");
		thread.setDaemon(true);
		return thread;
	});

	private final Map<String, Answer> answers = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> closedByHub = new ConcurrentHashMap<>();

	private EndlessAnswerPeer() throws IOException {
		this.server = new ServerSocket();
		this.server.bind(new InetSocketAddress("127.0.0.1", 0));
		this.threads.execute(this::acceptLoop);
	}

	/**
	 * Starts the peer on a free local port.
	 * @return the running peer
	 * @throws IOException when no port can be bound
	 */
	public static EndlessAnswerPeer start() throws IOException {
		return new EndlessAnswerPeer();
	}

	public String url() {
		return "http://127.0.0.1:" + this.server.getLocalPort() + "/hook";
	}

	/**
	 * Chooses the answer to an event's calls (any other call gets a header line that
	 * never ends).
	 * @param eventId the event's id (X-Event-Id)
	 * @param answer the endless answer to send
	 */
	public void answer(String eventId, Answer answer) {
		this.answers.put(eventId, answer);
	}

	/** Calls with this X-Event-Id so far. */
	public int callsOf(String eventId) {
		return count(this.calls, eventId);
	}

	/** Calls with this X-Event-Id whose connection the hub closed while being fed. */
	public int closedByHubOf(String eventId) {
		return count(this.closedByHub, eventId);
	}

	private static int count(Map<String, AtomicInteger> counts, String eventId) {
		AtomicInteger count = counts.get(eventId);
		return (count != null) ? count.get() : 0;
	}

	private void acceptLoop() {
		while (!this.server.isClosed()) {
			try {
				Socket socket = this.server.accept();
				this.threads.execute(() -> serve(socket));
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void serve(Socket socket) {
		try (socket) {
			String eventId = eventIdOf(readHead(socket.getInputStream()));
			this.calls.computeIfAbsent(eventId, id -> new AtomicInteger()).incrementAndGet();
			try {
				feed(socket.getOutputStream(), this.answers.getOrDefault(eventId, Answer.ENDLESS_LINE));
			}
			catch (IOException ex) {
				this.closedByHub.computeIfAbsent(eventId, id -> new AtomicInteger()).incrementAndGet();
			}
		}
		catch (IOException | InterruptedException ex) {
			// the test is over
		}
	}

	private static void feed(OutputStream out, Answer answer) throws IOException, InterruptedException {
		byte[] start = switch (answer) {
			case ENDLESS_LINE, TRICKLED_HEAD -> concat(STATUS_LINE, LINE_START);
			case ENDLESS_LINES -> STATUS_LINE;
			case ENDLESS_INFORMATIONAL -> new byte[0];
			case ENDLESS_BODY -> BODY_HEAD;
		};
		byte[] part = switch (answer) {
			case ENDLESS_LINE -> LINE_PART;
			case ENDLESS_LINES -> FILLER_LINES;
			case TRICKLED_HEAD -> new byte[] { 'a' };
			case ENDLESS_INFORMATIONAL -> PROCESSING;
			case ENDLESS_BODY -> BODY_PART;
		};
		// the endless heads at about 1 MB/s: the unbounded hub grows slowly enough to
		// stay alive for the test
		long pause = (answer == Answer.ENDLESS_LINE || answer == Answer.ENDLESS_LINES) ? 60 : 100;
		out.write(start);
		long end = System.nanoTime() + GIVE_UP.toNanos();
		while (System.nanoTime() < end) {
			out.write(part);
			out.flush();
			Thread.sleep(pause);
		}
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

	private static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		while (matched < 4 && head.size() < 64 * 1024) {
			int b = in.read();
			if (b < 0) {
				break;
			}
			head.write(b);
			matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : ((b == '\r') ? 1 : 0);
		}
		return head.toString(StandardCharsets.ISO_8859_1);
	}

	private static String eventIdOf(String head) {
		Matcher matcher = EVENT_ID.matcher(head);
		return matcher.find() ? matcher.group(1) : "";
	}

	/** 1 KB header lines (each starting with {@code name}), or plain 'a's when empty. */
	private static byte[] filled(int size, String name) {
		byte[] bytes = new byte[size];
		Arrays.fill(bytes, (byte) 'a');
		if (!name.isEmpty()) {
			for (int line = 0; line < size; line += 1024) {
				byte[] start = name.getBytes(StandardCharsets.US_ASCII);
				System.arraycopy(start, 0, bytes, line, start.length);
				bytes[line + 1022] = '\r';
				bytes[line + 1023] = '\n';
			}
		}
		return bytes;
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		this.threads.shutdownNow();
	}

	/** What the peer answers. */
	public enum Answer {

		/** {@code 200 OK}, then {@code X-Big: aaaa...} without a line end. */
		ENDLESS_LINE,

		/**
		 * {@code 200 OK}, then {@code X-Filler: aaaa...\r\n} lines of 1 KB without end.
		 */
		ENDLESS_LINES,

		/**
		 * {@code 200 OK}, then {@code X-Big: aaaa...} one byte every 100 ms: within the
		 * limits for 800 s.
		 */
		TRICKLED_HEAD,

		/** {@code 102 Processing} heads, one every 100 ms. */
		ENDLESS_INFORMATIONAL,

		/** {@code 200 OK} with a body of 1 GB, sent 1 KB every 100 ms. */
		ENDLESS_BODY

	}

}

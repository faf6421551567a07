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
 * A hostile webhook on a plain socket: it reads a request's head and answers
 * {@code 200 OK} followed by a response head that never ends, either one header line that
 * never ends or header lines of 1 KB without end, chosen per X-Event-Id. It writes the
 * same buffer over and over at about 1 MB/s, so neither it nor a hub that keeps reading
 * runs out of memory during a test, until its write fails (the hub closed the connection)
 * or it gives up after {@link #GIVE_UP}.
 */
public final class EndlessHeadPeer implements AutoCloseable {

	/** How long one connection is fed at most when the hub never closes it. */
	static final Duration GIVE_UP = Duration.ofSeconds(60);

	private static final Pattern EVENT_ID = Pattern.compile("(?im)^x-event-id:\\s*(\\S+)\\s*$");

	private static final byte[] STATUS_LINE = "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] LINE_START = "X-Big: ".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] LINE_PART = filled(64 * 1024, "");

	private static final byte[] FILLER_LINES = filled(64 * 1024, "X-Filler: ");

	private final ServerSocket server;

	private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
		Thread thread = new Thread(runnable, "endless-head-peer");
		thread.setDaemon(true);
		return thread;
	});

	private final Map<String, Head> heads = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> closedByHub = new ConcurrentHashMap<>();

	private EndlessHeadPeer() throws IOException {
		this.server = new ServerSocket();
		this.server.bind(new InetSocketAddress("127.0.0.1", 0));
		this.threads.execute(this::acceptLoop);
	}

	/**
	 * Starts the peer on a free local port.
	 * @return the running peer
	 * @throws IOException when no port can be bound
	 */
	public static EndlessHeadPeer start() throws IOException {
		return new EndlessHeadPeer();
	}

	public String url() {
		return "http://127.0.0.1:" + this.server.getLocalPort() + "/hook";
	}

	/**
	 * Chooses the answer to an event's calls (any other call gets a header line that
	 * never ends).
	 * @param eventId the event's id (X-Event-Id)
	 * @param head the endless head to send
	 */
	public void answer(String eventId, Head head) {
		this.heads.put(eventId, head);
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
				feed(socket.getOutputStream(), this.heads.getOrDefault(eventId, Head.ENDLESS_LINE));
			}
			catch (IOException ex) {
				this.closedByHub.computeIfAbsent(eventId, id -> new AtomicInteger()).incrementAndGet();
			}
		}
		catch (IOException | InterruptedException ex) {
			// the test is over
		}
	}

	private static void feed(OutputStream out, Head head) throws IOException, InterruptedException {
		out.write(STATUS_LINE);
		byte[] part = (head == Head.ENDLESS_LINE) ? LINE_PART : FILLER_LINES;
		if (head == Head.ENDLESS_LINE) {
			out.write(LINE_START);
		}
		long end = System.nanoTime() + GIVE_UP.toNanos();
		while (System.nanoTime() < end) {
			out.write(part);
			out.flush();
			// about 1 MB/s: the unbounded hub grows slowly enough to stay alive for the
			// test
			Thread.sleep(60);
		}
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

	/** What follows the status line. */
	public enum Head {

		/** {@code X-Big: aaaa...} without a line end. */
		ENDLESS_LINE,

		/** {@code X-Filler: aaaa...\r\n} lines of 1 KB without end. */
		ENDLESS_LINES

	}

}

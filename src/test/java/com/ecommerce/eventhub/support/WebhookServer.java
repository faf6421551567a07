package com.ecommerce.eventhub.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A local HTTP server standing in for a webhook: records every POST by its X-Event-Id
 * header (with the time it arrived and its headers) and answers 200, the status a test
 * chose for an event, or a scripted sequence of answers (status, headers, a delay before
 * answering).
 */
public final class WebhookServer implements AutoCloseable {

	private final HttpServer server;

	private final ExecutorService executor;

	private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

	private final Map<String, List<Long>> callTimes = new ConcurrentHashMap<>();

	private final Map<String, Map<String, String>> lastHeaders = new ConcurrentHashMap<>();

	private final Map<String, Integer> answers = new ConcurrentHashMap<>();

	private final Map<String, ConcurrentLinkedQueue<Answer>> scripts = new ConcurrentHashMap<>();

	private final AtomicInteger open = new AtomicInteger();

	private volatile long delayEveryCallMillis;

	private WebhookServer(int threads) throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.executor = Executors.newFixedThreadPool(threads);
		this.server.setExecutor(this.executor);
		this.server.createContext("/", exchange -> {
			this.open.incrementAndGet();
			try (InputStream body = exchange.getRequestBody()) {
				body.readAllBytes();
				String eventId = exchange.getRequestHeaders().getFirst("X-Event-Id");
				Answer answer = new Answer((eventId != null) ? this.answers.getOrDefault(eventId, 200) : 400, Map.of(),
						0);
				if (eventId != null) {
					this.calls.computeIfAbsent(eventId, id -> new AtomicInteger()).incrementAndGet();
					this.callTimes.computeIfAbsent(eventId, id -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
					Map<String, String> headers = new ConcurrentHashMap<>();
					exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
					this.lastHeaders.put(eventId, headers);
					ConcurrentLinkedQueue<Answer> script = this.scripts.get(eventId);
					Answer scripted = (script != null) ? script.poll() : null;
					if (scripted != null) {
						answer = scripted;
					}
				}
				long delay = Math.max(answer.delayMillis(), this.delayEveryCallMillis);
				if (delay > 0) {
					Thread.sleep(delay);
				}
				answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
				exchange.sendResponseHeaders(answer.status(), -1);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				this.open.decrementAndGet();
				exchange.close();
			}
		});
		this.server.start();
	}

	public static WebhookServer start() throws IOException {
		return new WebhookServer(4);
	}

	/**
	 * @param threads how many requests it serves at once
	 * @return a started server
	 * @throws IOException when no port is free
	 */
	public static WebhookServer start(int threads) throws IOException {
		return new WebhookServer(threads);
	}

	/** The URL to POST to. */
	public String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/hook";
	}

	/**
	 * @param eventId an event
	 * @param status what to answer for it from now on
	 */
	public void answer(String eventId, int status) {
		this.answers.put(eventId, status);
	}

	/**
	 * Answers the next calls of an event with these answers, one each, then as before.
	 * @param eventId an event
	 * @param script the answers in order
	 */
	public void script(String eventId, Answer... script) {
		this.scripts.put(eventId, new ConcurrentLinkedQueue<>(List.of(script)));
	}

	/**
	 * Makes every call wait before it is answered: a slow peer.
	 * @param millis the wait
	 */
	public void delayEveryCall(long millis) {
		this.delayEveryCallMillis = millis;
	}

	/** How often an event was posted. */
	public int callsOf(String eventId) {
		AtomicInteger count = this.calls.get(eventId);
		return (count != null) ? count.get() : 0;
	}

	/** When each call of an event arrived ({@link System#nanoTime()}). */
	public List<Long> callTimesOf(String eventId) {
		return List.copyOf(this.callTimes.getOrDefault(eventId, List.of()));
	}

	/** The headers of the last call of an event. */
	public Map<String, String> headersOf(String eventId) {
		return this.lastHeaders.getOrDefault(eventId, Map.of());
	}

	/** The distinct events posted so far. */
	public int distinctEvents() {
		return this.calls.size();
	}

	/** Requests being served right now. */
	public int openRequests() {
		return this.open.get();
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.executor.shutdownNow();
	}

	/**
	 * One scripted answer.
	 *
	 * @param status the HTTP status
	 * @param headers response headers
	 * @param delayMillis how long to wait before answering
	 */
	public record Answer(int status, Map<String, String> headers, long delayMillis) {

		public static Answer of(int status) {
			return new Answer(status, Map.of(), 0);
		}

		public static Answer of(int status, String header, String value) {
			return new Answer(status, Map.of(header, value), 0);
		}

	}

}

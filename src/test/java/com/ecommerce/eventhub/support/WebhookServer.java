package com.ecommerce.eventhub.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A local HTTP server standing in for a webhook: records every POST by its X-Event-Id header and
 * answers 200, or the status a test chose for an event.
 */
public final class WebhookServer implements AutoCloseable {

	private final HttpServer server;

	private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

	private final Map<String, Integer> answers = new ConcurrentHashMap<>();

	private WebhookServer() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.setExecutor(Executors.newFixedThreadPool(4));
		this.server.createContext("/", exchange -> {
			try (InputStream body = exchange.getRequestBody()) {
				body.readAllBytes();
			}
			String eventId = exchange.getRequestHeaders().getFirst("X-Event-Id");
			if (eventId != null) {
				this.calls.computeIfAbsent(eventId, id -> new AtomicInteger()).incrementAndGet();
			}
			int status = (eventId != null) ? this.answers.getOrDefault(eventId, 200) : 400;
			exchange.sendResponseHeaders(status, -1);
			exchange.close();
		});
		this.server.start();
	}

	public static WebhookServer start() throws IOException {
		return new WebhookServer();
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

	/** How often an event was posted. */
	public int callsOf(String eventId) {
		AtomicInteger count = this.calls.get(eventId);
		return (count != null) ? count.get() : 0;
	}

	/** The distinct events posted so far. */
	public int distinctEvents() {
		return this.calls.size();
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}

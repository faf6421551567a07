package com.ecommerce.eventhub.dev;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the shipped forwarders post in dev mode ({@code hub.webhooks.inventory-url}): it
 * answers 200 to every call, logs one line per call and keeps the newest {@value #KEPT}
 * for {@code GET /dev/webhooks}. Bodies are read up to 64 KB.
 */
final class DevWebhookReceiver implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(DevWebhookReceiver.class);

	static final int KEPT = 200;

	private static final int MAX_BODY = 64 * 1024;

	private final HttpServer server;

	private final ExecutorService workers;

	private final Deque<Call> calls = new ArrayDeque<>();

	private DevWebhookReceiver(HttpServer server, ExecutorService workers) {
		this.server = server;
		this.workers = workers;
	}

	static DevWebhookReceiver start(int port) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
		ExecutorService workers = Executors.newFixedThreadPool(2);
		DevWebhookReceiver receiver = new DevWebhookReceiver(server, workers);
		server.createContext("/", receiver::receive);
		server.setExecutor(workers);
		server.start();
		return receiver;
	}

	String url(String path) {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + path;
	}

	synchronized List<Call> calls() {
		return List.copyOf(this.calls);
	}

	private void receive(HttpExchange exchange) throws IOException {
		try (exchange; InputStream in = exchange.getRequestBody()) {
			String body = new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
			Call call = new Call(Instant.now(), exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
					exchange.getRequestHeaders().getFirst("X-Event-Type"),
					exchange.getRequestHeaders().getFirst("X-Event-Id"), body);
			log.info("Dev webhook received: {} {} {} {}", call.method(), call.path(), call.eventType(), call.eventId());
			synchronized (this) {
				this.calls.addFirst(call);
				if (this.calls.size() > KEPT) {
					this.calls.removeLast();
				}
			}
			exchange.sendResponseHeaders(200, -1);
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.workers.shutdownNow();
	}

	/**
	 * One call.
	 *
	 * @param receivedAt when it arrived
	 * @param method the HTTP method
	 * @param path the path
	 * @param eventType its {@code X-Event-Type} header
	 * @param eventId its {@code X-Event-Id} header
	 * @param body the body, at most 64 KB
	 */
	record Call(Instant receivedAt, String method, String path, String eventType, String eventId, String body) {
	}

}

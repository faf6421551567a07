package com.ecommerce.eventhub.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.fasterxml.jackson.databind.JsonNode;

/** A real HTTP client for the hub on its test port. */
public final class HubHttp {

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String base;

	public HubHttp(int port) {
		this.base = "http://127.0.0.1:" + port;
	}

	/**
	 * @param path e.g. {@code /api/v1/dead-letters}
	 * @param apiKey sent as X-API-Key, or null for none
	 * @return the response
	 * @throws IOException on transport errors
	 * @throws InterruptedException when interrupted
	 */
	public HttpResponse<String> get(String path, String apiKey) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path)).GET();
		if (apiKey != null) {
			request.header("X-API-Key", apiKey);
		}
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * @param path the path
	 * @param apiKey sent as X-API-Key, or null for none
	 * @param contentType the body's content type
	 * @param body the body
	 * @return the response
	 * @throws IOException on transport errors
	 * @throws InterruptedException when interrupted
	 */
	public HttpResponse<String> post(String path, String apiKey, String contentType, String body)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path))
			.header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofString(body));
		if (apiKey != null) {
			request.header("X-API-Key", apiKey);
		}
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * Sends any request against the hub.
	 * @param path the path
	 * @param customizer sets method, headers and body
	 * @return the response
	 * @throws IOException on transport errors
	 * @throws InterruptedException when interrupted
	 */
	public HttpResponse<String> send(String path, java.util.function.Consumer<HttpRequest.Builder> customizer)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path))
			.timeout(Duration.ofSeconds(30));
		customizer.accept(request);
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * @param response a response
	 * @return its body as JSON
	 * @throws IOException when it is not JSON
	 */
	public static JsonNode json(HttpResponse<String> response) throws IOException {
		return EnvelopeJson.mapper().readTree(response.body());
	}

}

package com.ecommerce.eventhub.consumers;

import java.util.Map;

import org.apache.camel.component.http.HttpComponent;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;
import org.apache.hc.client5.http.socket.ConnectionSocketFactory;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.config.Registry;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.util.TimeValue;

/**
 * camel-http with a bounded answer head, read only while its attempt runs (see
 * {@link InterruptibleAnswers}): Apache HttpClient reads a status line and header lines
 * of any length and any number by default, so a peer answering with a header that never
 * ends filled the heap while the attempt timeout only abandoned the thread reading it. A
 * head over the limits fails the call with HttpClient's
 * {@code MessageConstraintException} ("Maximum line length limit exceeded", "Maximum
 * header count exceeded") and the connection is closed.
 *
 * <p>
 * Everything else is camel-http's own connection manager: the same pool sizes,
 * time-to-live, socket configuration and TLS registry (the component's and the endpoint's
 * options still apply).
 */
class BoundedHttpComponent extends HttpComponent {

	/**
	 * One status or header line: Tomcat's and Apache httpd's limits for a whole request
	 * head or one header field are 8 KB; a webhook's answer needs a few hundred bytes.
	 */
	static final int MAX_LINE_LENGTH = 8 * 1024;

	/** Header lines of one answer: Tomcat's and Apache httpd's limit for a request. */
	static final int MAX_HEADER_COUNT = 100;

	private static final Http1Config BOUNDED_HEAD = Http1Config.custom()
		.setMaxLineLength(MAX_LINE_LENGTH)
		.setMaxHeaderCount(MAX_HEADER_COUNT)
		.build();

	/**
	 * camel-http's {@code createConnectionManager} with a connection factory that reads
	 * answers within {@link #BOUNDED_HEAD}; the constructor is the one camel-http calls,
	 * it takes camel-http's socket factory registry as it is.
	 */
	@Override
	@SuppressWarnings("deprecation")
	protected HttpClientConnectionManager createConnectionManager(Registry<ConnectionSocketFactory> registry,
			int maxTotalConnections, int connectionsPerRoute, SocketConfig defaultSocketConfig) {
		PoolingHttpClientConnectionManager manager = new PoolingHttpClientConnectionManager(registry,
				PoolConcurrencyPolicy.STRICT, TimeValue.ofMilliseconds(getConnectionTimeToLive()),
				ManagedHttpClientConnectionFactory.builder()
					.http1Config(BOUNDED_HEAD)
					.responseParserFactory(InterruptibleAnswers.heads(BOUNDED_HEAD))
					.build());
		int total = (maxTotalConnections != 0) ? maxTotalConnections : getMaxTotalConnections();
		if (total > 0) {
			manager.setMaxTotal(total);
		}
		int perRoute = (connectionsPerRoute != 0) ? connectionsPerRoute : getConnectionsPerRoute();
		if (perRoute > 0) {
			manager.setDefaultMaxPerRoute(perRoute);
		}
		manager.setDefaultSocketConfig(defaultSocketConfig);
		return manager;
	}

	/** camel-http's client, whose answer bodies are read only while the attempt runs. */
	@Override
	protected HttpClientBuilder createHttpClientBuilder(String uri, Map<String, Object> parameters,
			Map<String, Object> httpClientOptions) {
		return super.createHttpClientBuilder(uri, parameters, httpClientOptions)
			.addResponseInterceptorFirst(InterruptibleAnswers.bodies());
	}

}

package com.ecommerce.eventhub.ingestion;

import java.io.IOException;
import java.util.Set;

import com.ecommerce.eventhub.web.ApiKeyAuthenticationFilter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Counts ingestion requests by answer ({@code eventhub_ingestion_requests_total{method,
 * status}}), the refused ones (401, 413, 415) included: it runs outside every other
 * filter. Both tags take a bounded set of values, so no caller can add series.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class IngestionMetricsFilter extends OncePerRequestFilter {

	private final MeterRegistry meters;

	IngestionMetricsFilter(MeterRegistry meters) {
		this.meters = meters;
	}

	/**
	 * The method tag's values: anything else a caller invents is counted as
	 * {@code other}.
	 */
	private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

	private void count(HttpServletRequest request, HttpServletResponse response) {
		String method = METHODS.contains(request.getMethod()) ? request.getMethod() : "other";
		this.meters
			.counter("eventhub.ingestion.requests", "method", method, "status", String.valueOf(response.getStatus()))
			.increment();
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !ApiKeyAuthenticationFilter.routedPath(request).startsWith(IngestionRoutes.EVENTS_PATH);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		try {
			chain.doFilter(request, response);
		}
		finally {
			if (request.isAsyncStarted()) {
				// camel-platform-http answers asynchronously: the status is known when
				// the request completes.
				request.getAsyncContext().addListener(new AsyncListener() {
					@Override
					public void onComplete(AsyncEvent event) {
						count(request, (HttpServletResponse) event.getSuppliedResponse());
					}

					@Override
					public void onTimeout(AsyncEvent event) {
					}

					@Override
					public void onError(AsyncEvent event) {
					}

					@Override
					public void onStartAsync(AsyncEvent event) {
					}
				});
			}
			else {
				count(request, response);
			}
		}
	}

}

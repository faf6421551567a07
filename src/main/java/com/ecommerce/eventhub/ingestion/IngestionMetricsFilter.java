package com.ecommerce.eventhub.ingestion;

import java.io.IOException;

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
 * Counts ingestion requests by answer ({@code eventhub_ingestion_requests_total{status}}), the
 * refused ones (401, 413, 415) included: it runs outside every other filter.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class IngestionMetricsFilter extends OncePerRequestFilter {

	private final MeterRegistry meters;

	IngestionMetricsFilter(MeterRegistry meters) {
		this.meters = meters;
	}

	private void count(HttpServletRequest request, HttpServletResponse response) {
		this.meters.counter("eventhub.ingestion.requests", "method", request.getMethod(), "status",
				String.valueOf(response.getStatus())).increment();
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
				// camel-platform-http answers asynchronously: the status is known when the request completes.
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

package com.ecommerce.eventhub.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.ecommerce.eventhub.ops.DeadLetterMonitor;
import com.ecommerce.eventhub.routes.ReloadResult;
import com.ecommerce.eventhub.routes.RouteCatalog;
import com.ecommerce.eventhub.routes.RouteView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The overview: outbox backlog and relay lag, relay rate and publish failures, dead
 * letters, every consumer route's state and counters, circuit breakers, and the last
 * route-file reloads. Read from this instance's meters and health components, the same
 * numbers {@code /actuator/prometheus} and {@code /actuator/health} show.
 */
@Controller
class OverviewController {

	private final ConsolePages pages;

	private final MeterRegistry meters;

	private final RelayRates rates;

	private final DeadLetterMonitor deadLetters;

	private final RouteCatalog routes;

	private final ObjectProvider<HealthContributorRegistry> health;

	OverviewController(ConsolePages pages, MeterRegistry meters, RelayRates rates, DeadLetterMonitor deadLetters,
			RouteCatalog routes, ObjectProvider<HealthContributorRegistry> health) {
		this.pages = pages;
		this.meters = meters;
		this.rates = rates;
		this.deadLetters = deadLetters;
		this.routes = routes;
		this.health = health;
	}

	@GetMapping({ "/console", "/console/" })
	ResponseEntity<String> overview(HttpServletRequest request) {
		Map<String, Object> model = new LinkedHashMap<>();
		model.put("pending", number(gauge("eventhub.outbox.pending")));
		model.put("lag", seconds(gauge("eventhub.relay.lag")));
		model.put("rate", perSecond(this.rates.publishedPerSecond()));
		model.put("failureRate", perSecond(this.rates.failuresPerSecond()));
		model.put("failures", number(this.rates.failuresTotal()));
		long depth = this.deadLetters.depth();
		model.put("deadLetters", (depth < 0) ? "unknown" : String.valueOf(depth));
		model.put("deadLettersWaiting", depth > 0);
		List<Map<String, Object>> consumers = new ArrayList<>();
		List<Map<String, Object>> others = new ArrayList<>();
		for (RouteView route : this.routes.routes()) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("id", route.id());
			row.put("source", route.source());
			row.put("state", route.state());
			row.put("stopped", !"Started".equals(route.state()));
			row.put("handled", number(route.handled()));
			row.put("failed", number(route.failed()));
			row.put("queue", route.queue());
			(route.consumer() ? consumers : others).add(row);
		}
		model.put("consumers", consumers);
		model.put("otherRoutes", others.size());
		List<Map<String, Object>> stoppedOthers = others.stream()
			.filter(row -> Boolean.TRUE.equals(row.get("stopped")))
			.toList();
		model.put("stoppedOthers", stoppedOthers);
		model.put("anyStoppedOthers", !stoppedOthers.isEmpty());
		model.put("breakers", breakers());
		List<Map<String, Object>> reloads = new ArrayList<>();
		for (ReloadResult reload : this.routes.reloads()) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("file", reload.file());
			row.put("status", reload.status());
			row.put("rejected", "REJECTED".equals(reload.status()));
			row.put("at", ConsoleRequests.time(reload.at()));
			row.put("line", reload.line());
			row.put("reason", ConsoleRequests.cut(reload.reason(), 500));
			reloads.add(row);
		}
		model.put("reloads", reloads);
		return this.pages.page(200, "overview", "Overview", ConsoleRequests.session(request), model);
	}

	/**
	 * The consumer routes' circuit breakers: from the {@code breakers} health component
	 * when there is one (state, failure rate, waiting messages), else from the
	 * {@code resilience4j_circuitbreaker_state} gauges.
	 */
	private List<Map<String, Object>> breakers() {
		List<Map<String, Object>> breakers = new ArrayList<>();
		HealthContributorRegistry registry = this.health.getIfAvailable();
		HealthContributor contributor = (registry != null) ? registry.getContributor("breakers") : null;
		if (contributor instanceof HealthIndicator indicator) {
			indicator.health().getDetails().forEach((route, detail) -> {
				Map<String, Object> row = new LinkedHashMap<>();
				row.put("route", route);
				if (detail instanceof Map<?, ?> values) {
					row.put("state", String.valueOf(values.get("state")));
					row.put("failureRate", failureRate(values.get("failureRate")));
					row.put("waiting", String.valueOf(values.get("waiting")));
				}
				row.put("open", String.valueOf(row.get("state")).toUpperCase(Locale.ROOT).contains("OPEN"));
				breakers.add(row);
			});
			return breakers;
		}
		for (Gauge gauge : this.meters.find("resilience4j.circuitbreaker.state").gauges()) {
			if (gauge.value() == 1) {
				Map<String, Object> row = new LinkedHashMap<>();
				row.put("route", gauge.getId().getTag("name"));
				row.put("state", gauge.getId().getTag("state"));
				row.put("failureRate", "");
				row.put("waiting", "");
				row.put("open", String.valueOf(gauge.getId().getTag("state")).contains("open"));
				breakers.add(row);
			}
		}
		return breakers;
	}

	/** Resilience4j says -1 until the breaker has seen enough calls to tell. */
	private static String failureRate(Object rate) {
		if (rate instanceof Number number) {
			return (number.doubleValue() < 0) ? "too few calls"
					: String.format(Locale.ROOT, "%.0f %%", number.doubleValue());
		}
		return String.valueOf(rate);
	}

	private Double gauge(String name) {
		Gauge gauge = this.meters.find(name).gauge();
		return (gauge != null && gauge.value() >= 0) ? gauge.value() : null;
	}

	static String number(Double value) {
		return (value != null) ? String.format(Locale.ROOT, "%,d", Math.round(value)) : "unknown";
	}

	private static String seconds(Double value) {
		return (value != null) ? String.format(Locale.ROOT, "%.1f s", value) : "unknown";
	}

	private static String perSecond(Double value) {
		return (value != null) ? String.format(Locale.ROOT, "%.1f/s", value) : "measuring…";
	}

}

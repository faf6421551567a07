package com.ecommerce.eventhub.routes;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The last result of applying one route file.
 *
 * @param file the file name
 * @param status {@code APPLIED}, {@code REJECTED} or {@code REMOVED}
 * @param at when it was applied or rejected
 * @param routeIds the routes the file defines now (the previous ones when rejected)
 * @param line the line of the problem, when known
 * @param reason why it was rejected
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReloadResult(String file, String status, Instant at, List<String> routeIds, Integer line, String reason) {

	static ReloadResult applied(String file, Instant at, List<String> routeIds) {
		return new ReloadResult(file, "APPLIED", at, List.copyOf(routeIds), null, null);
	}

	static ReloadResult removed(String file, Instant at) {
		return new ReloadResult(file, "REMOVED", at, List.of(), null, null);
	}

	static ReloadResult rejected(String file, Instant at, List<String> keptRouteIds, Integer line, String reason) {
		return new ReloadResult(file, "REJECTED", at, List.copyOf(keptRouteIds), line, reason);
	}

}

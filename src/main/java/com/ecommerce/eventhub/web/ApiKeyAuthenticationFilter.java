package com.ecommerce.eventhub.web;

import java.io.IOException;
import java.security.Principal;
import java.util.List;
import java.util.Optional;

import com.ecommerce.eventhub.config.SecurityProperties.ApiKey;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates every request except health, info, metrics and the OpenAPI and AsyncAPI
 * documents (deny by default; on those a valid key is still recognised, so an admin sees
 * the health details) by its API key ({@code X-API-Key}, or
 * {@code Authorization: Bearer <key>}): 401 without a valid key, 403 when an operations
 * endpoint ({@code /api/v1/dead-letters}, {@code /api/v1/routes},
 * {@code /api/v1/replays}, {@code /api/v1/audit}) is called with a key that is not
 * {@code admin}. Keys are compared in constant time and never logged; the caller's
 * {@link ApiKey} is left in the request attribute {@link #CALLER}.
 *
 * <p>
 * The operator console ({@link #CONSOLE_PATH} and below) is not authenticated here: a
 * browser signs in there once with an admin key and then presents a session cookie, which
 * the console's own filter checks. A key sent in a header to a console path counts for
 * nothing.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
public class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

	/** The role of admin keys (management.endpoint.health.roles). */
	public static final String ADMIN_ROLE = "ADMIN";

	/** Request attribute holding the authenticated {@link ApiKey}. */
	public static final String CALLER = ApiKeyAuthenticationFilter.class.getName() + ".caller";

	/** The operator console's paths: authenticated by its session, not by an API key. */
	public static final String CONSOLE_PATH = "/console";

	private static final List<String> ADMIN_PATHS = List.of("/api/v1/dead-letters", "/api/v1/routes", "/api/v1/replays",
			"/api/v1/audit");

	/**
	 * What needs no key: health, info, metrics and the API and event descriptions.
	 * Everything else does.
	 */
	private static final List<String> OPEN_PATHS = List.of("/actuator/health", "/actuator/info", "/actuator/prometheus",
			"/livez", "/readyz", "/openapi.yaml", "/asyncapi.yaml");

	private final ApiKeys keys;

	public ApiKeyAuthenticationFilter(ApiKeys keys) {
		this.keys = keys;
	}

	/**
	 * The path the application routes on: decoded, normalised, without
	 * {@code ;parameters}. Deciding on the raw request URI would let {@code /api;x/...}
	 * or {@code /%61pi/...} past the checks.
	 * @param request the request
	 * @return the servlet path plus path info
	 */
	public static String routedPath(HttpServletRequest request) {
		String path = request.getServletPath();
		return (request.getPathInfo() != null) ? path + request.getPathInfo() : path;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String path = routedPath(request);
		if (isConsole(path)) {
			chain.doFilter(request, response);
			return;
		}
		Optional<ApiKey> caller = this.keys.authenticate(presentedKey(request));
		if (OPEN_PATHS.stream().anyMatch(open -> path.equals(open) || path.startsWith(open + "/"))) {
			// Open without a key; with an admin key the health endpoint shows its details
			// (role ADMIN).
			chain.doFilter(caller.isPresent() ? new AuthenticatedRequest(request, caller.get()) : request, response);
			return;
		}
		if (caller.isEmpty()) {
			response.setHeader("WWW-Authenticate", "Bearer");
			refuse(request, response, 401, "Unauthorized",
					"A valid API key is required in the X-API-Key header (or Authorization: Bearer).");
			return;
		}
		if (!caller.get().admin() && ADMIN_PATHS.stream().anyMatch(path::startsWith)) {
			refuse(request, response, 403, "Forbidden", "This API key may not use the operations endpoints.");
			return;
		}
		request.setAttribute(CALLER, caller.get());
		chain.doFilter(new AuthenticatedRequest(request, caller.get()), response);
	}

	/**
	 * @param path a routed path
	 * @return whether it belongs to the operator console
	 */
	public static boolean isConsole(String path) {
		return path.equals(CONSOLE_PATH) || path.startsWith(CONSOLE_PATH + "/");
	}

	private static String presentedKey(HttpServletRequest request) {
		String key = request.getHeader("X-API-Key");
		if (key != null) {
			return key.trim();
		}
		String authorization = request.getHeader("Authorization");
		if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return authorization.substring(7).trim();
		}
		return null;
	}

	/**
	 * Refuses before the body is read; with a body announced, the connection closes after
	 * the answer.
	 */
	private static void refuse(HttpServletRequest request, HttpServletResponse response, int status, String title,
			String detail) throws IOException {
		if (RequestLimitsFilter.hasBody(request)) {
			RequestLimitsFilter.refuse(request, response, status, title, detail);
		}
		else {
			Problem.write(response, status, title, detail);
		}
	}

	/**
	 * A request whose caller is known: its principal is the key's name, and an admin key
	 * has the role {@link #ADMIN_ROLE}, which the actuator's
	 * {@code show-details: when-authorized} asks for.
	 */
	private static final class AuthenticatedRequest extends HttpServletRequestWrapper {

		private final ApiKey caller;

		AuthenticatedRequest(HttpServletRequest request, ApiKey caller) {
			super(request);
			this.caller = caller;
		}

		@Override
		public Principal getUserPrincipal() {
			return this.caller::name;
		}

		@Override
		public String getRemoteUser() {
			return this.caller.name();
		}

		@Override
		public boolean isUserInRole(String role) {
			return ADMIN_ROLE.equals(role) && this.caller.admin();
		}

	}

}

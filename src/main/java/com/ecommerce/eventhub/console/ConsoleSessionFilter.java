package com.ecommerce.eventhub.console;

import java.io.IOException;
import java.util.Optional;

import com.ecommerce.eventhub.config.SecurityProperties.ApiKey;
import com.ecommerce.eventhub.web.ApiKeyAuthenticationFilter;
import com.ecommerce.eventhub.web.ApiKeys;
import com.ecommerce.eventhub.web.RequestLimitsFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards every console path: sets the headers that keep its pages out of frames, caches
 * and other sites' reach, and lets a request through only with a live session of a key
 * that is still configured and admin. Without one, a page request is sent to the sign-in
 * and anything else is refused (401) before its body is read. Only the sign-in itself and
 * the stylesheet are open.
 *
 * <p>
 * It runs after the API-key filter (which leaves console paths to it) and before the body
 * limits, so a refused request's body is never read.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 6)
class ConsoleSessionFilter extends OncePerRequestFilter {

	static final String SIGN_IN_PATH = "/console/sign-in";

	static final String ASSETS_PATH = "/console/assets/";

	/**
	 * No script at all, styles from the hub only, forms only to the hub, never in a
	 * frame.
	 */
	static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; "
			+ "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

	private final ConsoleSessions sessions;

	private final ConsoleCookies cookies;

	private final ApiKeys keys;

	ConsoleSessionFilter(ConsoleSessions sessions, ConsoleCookies cookies, ApiKeys keys) {
		this.sessions = sessions;
		this.cookies = cookies;
		this.keys = keys;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !ApiKeyAuthenticationFilter.isConsole(ApiKeyAuthenticationFilter.routedPath(request));
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		protect(response);
		String path = ApiKeyAuthenticationFilter.routedPath(request);
		boolean read = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
		if (path.equals(SIGN_IN_PATH) || (read && path.startsWith(ASSETS_PATH))) {
			chain.doFilter(request, response);
			return;
		}
		String token = ConsoleCookies.read(request, ConsoleCookies.SESSION);
		Optional<ConsoleSession> session = this.sessions.resolve(token);
		if (session.isPresent() && !stillAdmin(session.get().keyName())) {
			// The key was removed or lost admin since the sign-in: so did its sessions.
			this.sessions.end(token);
			session = Optional.empty();
		}
		if (session.isEmpty()) {
			if (token != null) {
				this.cookies.clear(request, response, ConsoleCookies.SESSION);
			}
			if (read) {
				response.setStatus(303);
				response.setHeader("Location", SIGN_IN_PATH);
			}
			else if (RequestLimitsFilter.hasBody(request)) {
				RequestLimitsFilter.refuse(request, response, 401, "Unauthorized", "Sign in to the console first.");
			}
			else {
				response.setStatus(401);
				response.setHeader("Location", SIGN_IN_PATH);
			}
			return;
		}
		request.setAttribute(ConsoleSession.ATTRIBUTE, session.get());
		chain.doFilter(request, response);
	}

	private boolean stillAdmin(String keyName) {
		return this.keys.named(keyName).map(ApiKey::admin).orElse(false);
	}

	/** Console pages are never framed, cached, sniffed or sent on as a referrer. */
	private static void protect(HttpServletResponse response) {
		response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
		response.setHeader("X-Frame-Options", "DENY");
		response.setHeader("X-Content-Type-Options", "nosniff");
		response.setHeader("Referrer-Policy", "no-referrer");
		response.setHeader("Cross-Origin-Opener-Policy", "same-origin");
		response.setHeader("Cross-Origin-Resource-Policy", "same-origin");
		response.setHeader("Cache-Control", "no-store");
		response.setHeader("Pragma", "no-cache");
	}

}

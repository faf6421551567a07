package com.ecommerce.eventhub.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

import com.ecommerce.eventhub.web.ApiKeyAuthenticationFilter;
import com.ecommerce.eventhub.web.Problem;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every state-changing console request (every method but GET and HEAD) must carry the
 * CSRF token in its form ({@value #FIELD}): the session's token, or before sign-in the
 * token of the sign-in form's own cookie. Compared in constant time; a request another
 * site's page started ({@code Sec-Fetch-Site: cross-site}) is refused as well. The parsed
 * form is left in the request attribute {@link #FORM}.
 *
 * <p>
 * It runs after the body limits ({@code web.RequestLimitsFilter}), which read and bound
 * the body first.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 11)
class ConsoleCsrfFilter extends OncePerRequestFilter {

	/** The form field with the CSRF token. */
	static final String FIELD = "_csrf";

	/** The request attribute with the parsed {@link FormBody}. */
	static final String FORM = FormBody.class.getName();

	private final ConsolePages pages;

	private final ConsoleSessions sessions;

	private final ConsoleCookies cookies;

	ConsoleCsrfFilter(ConsolePages pages, ConsoleSessions sessions, ConsoleCookies cookies) {
		this.pages = pages;
		this.sessions = sessions;
		this.cookies = cookies;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !ApiKeyAuthenticationFilter.isConsole(ApiKeyAuthenticationFilter.routedPath(request))
				|| "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if ("cross-site".equalsIgnoreCase(request.getHeader("Sec-Fetch-Site"))) {
			refuse(request, response, "A console form was sent from another site.");
			return;
		}
		FormBody form;
		try {
			form = FormBody.parse(request.getInputStream().readAllBytes());
		}
		catch (IllegalArgumentException ex) {
			refuse(request, response, "The form is malformed.");
			return;
		}
		String expected = expectedToken(request);
		String presented = form.get(FIELD);
		if (expected == null || presented == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
				presented.getBytes(StandardCharsets.UTF_8))) {
			refuse(request, response, "The form's CSRF token is missing or wrong: load the page again.");
			return;
		}
		request.setAttribute(FORM, form);
		chain.doFilter(request, response);
	}

	private static String expectedToken(HttpServletRequest request) {
		if (ConsoleSessionFilter.SIGN_IN_PATH.equals(ApiKeyAuthenticationFilter.routedPath(request))) {
			return ConsoleCookies.read(request, ConsoleCookies.SIGN_IN);
		}
		Object session = request.getAttribute(ConsoleSession.ATTRIBUTE);
		return (session instanceof ConsoleSession current) ? current.csrfToken() : null;
	}

	/**
	 * 403: a page for a browser (an operator whose form grew stale must see what to do),
	 * a problem document for anything else.
	 */
	private void refuse(HttpServletRequest request, HttpServletResponse response, String detail) throws IOException {
		String accept = request.getHeader("Accept");
		if (accept == null || !accept.contains("text/html")) {
			Problem.write(response, 403, "Forbidden", detail);
			return;
		}
		Object session = request.getAttribute(ConsoleSession.ATTRIBUTE);
		ResponseEntity<String> page;
		if (session instanceof ConsoleSession current) {
			page = this.pages.error(403, current, detail, "/console");
		}
		else {
			// Only the sign-in posts without a session: answer with a fresh sign-in form.
			String token = this.sessions.randomToken();
			this.cookies.signIn(request, response, token);
			page = this.pages.signIn(403, Map.of("csrf", token, "message", detail));
		}
		response.setStatus(403);
		response.setContentType(String.valueOf(page.getHeaders().getContentType()));
		response.getWriter().write(page.getBody());
	}

}

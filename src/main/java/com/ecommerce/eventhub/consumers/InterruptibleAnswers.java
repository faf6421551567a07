package com.ecommerce.eventhub.consumers;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;

import org.apache.hc.client5.http.impl.io.DefaultHttpResponseParserFactory;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpResponseInterceptor;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.HttpMessageParser;
import org.apache.hc.core5.http.io.HttpMessageParserFactory;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * A target's answer is read only while its attempt runs. The attempt timeout interrupts
 * the attempt's thread ({@link HandlerInvoker}), but a blocking socket read ignores the
 * interrupt: a peer that trickled an answer head within the limits, sent {@code 1xx}
 * heads without end, or sent a body without end (camel-http reads an ignored body to its
 * end) kept the thread for as long as it went on. Every read of an answer made here first
 * looks at the thread's interrupt: once the attempt has timed out, the next read fails
 * with an {@link InterruptedIOException}, HttpClient closes the connection, and the
 * thread goes back to its pool. One read waits at most the call's response timeout, so
 * that is how long after the attempt timeout the thread can still be held.
 */
final class InterruptibleAnswers {

	private InterruptibleAnswers() {
	}

	/**
	 * Answer heads read within {@code limits}, each socket read of them interruptible
	 * (camel-http's own parser otherwise).
	 */
	@SuppressWarnings("deprecation") // HttpCore calls create(); the interface still
										// declares create(Http1Config) as its method
	static HttpMessageParserFactory<ClassicHttpResponse> heads(Http1Config limits) {
		DefaultHttpResponseParserFactory parsers = new DefaultHttpResponseParserFactory(limits);
		return new HttpMessageParserFactory<>() {

			@Override
			public HttpMessageParser<ClassicHttpResponse> create() {
				HttpMessageParser<ClassicHttpResponse> parser = parsers.create();
				return (buffer, socketInput) -> parser.parse(buffer, new InterruptibleInputStream(socketInput));
			}

			@Override
			public HttpMessageParser<ClassicHttpResponse> create(Http1Config ignored) {
				return create();
			}

		};
	}

	/**
	 * Answer bodies read interruptibly: reading, skipping and closing (which reads the
	 * rest of a body for the connection to be reused).
	 */
	static HttpResponseInterceptor bodies() {
		return (response, entity, context) -> {
			if (response instanceof ClassicHttpResponse classic && classic.getEntity() != null) {
				classic.setEntity(new InterruptibleEntity(classic.getEntity()));
			}
		};
	}

	/**
	 * A body read through one {@link InterruptibleBody}, however often it is asked for.
	 */
	private static final class InterruptibleEntity extends HttpEntityWrapper {

		private InterruptibleBody content;

		InterruptibleEntity(HttpEntity answer) {
			super(answer);
		}

		@Override
		public synchronized InputStream getContent() throws IOException {
			if (this.content == null) {
				InputStream answer = super.getContent();
				this.content = (answer != null) ? new InterruptibleBody(answer) : null;
			}
			return this.content;
		}

		@Override
		public void writeTo(OutputStream out) throws IOException {
			try (InputStream body = getContent()) {
				if (body != null) {
					body.transferTo(out);
				}
			}
		}

		/**
		 * Closes the body first: the wrapped entity's close would read its rest
		 * uninterruptibly. When that fails, the connection is discarded.
		 */
		@Override
		public void close() throws IOException {
			InputStream body = getContent();
			if (body != null) {
				body.close();
			}
			super.close();
		}

	}

	/** Reads of a socket that end once their thread is interrupted. */
	private static class InterruptibleInputStream extends FilterInputStream {

		InterruptibleInputStream(InputStream in) {
			super(in);
		}

		@Override
		public int read() throws IOException {
			checkInterrupt();
			return super.read();
		}

		@Override
		public int read(byte[] bytes, int offset, int length) throws IOException {
			checkInterrupt();
			return super.read(bytes, offset, length);
		}

		@Override
		public long skip(long count) throws IOException {
			checkInterrupt();
			return super.skip(count);
		}

		private static void checkInterrupt() throws InterruptedIOException {
			if (Thread.currentThread().isInterrupted()) {
				throw new InterruptedIOException("the attempt timed out: its answer is no longer read");
			}
		}

	}

	/**
	 * A body whose close reads its rest interruptibly: HttpCore's body streams read their
	 * rest on close (so that the connection can be reused), uninterruptibly, so this one
	 * is closed only once its end has been read.
	 */
	private static final class InterruptibleBody extends InterruptibleInputStream {

		private boolean ended;

		InterruptibleBody(InputStream body) {
			super(body);
		}

		@Override
		public int read() throws IOException {
			return ended(super.read());
		}

		@Override
		public int read(byte[] bytes, int offset, int length) throws IOException {
			return ended(super.read(bytes, offset, length));
		}

		private int ended(int read) {
			this.ended |= (read < 0);
			return read;
		}

		@Override
		public void close() throws IOException {
			byte[] rest = new byte[8192];
			while (!this.ended) {
				read(rest, 0, rest.length); // discarded, as HttpCore does
			}
			super.close();
		}

	}

}

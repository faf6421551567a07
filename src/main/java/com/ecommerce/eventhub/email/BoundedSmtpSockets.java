package com.ecommerce.eventhub.email;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

import javax.net.SocketFactory;

/**
 * Sockets to the SMTP server that bound what it sends. Angus Mail reads a reply line, and
 * the lines of a multi-line reply, for as long as the server sends them: its line buffer
 * and reply text grew without limit while the attempt timeout only abandoned the thread
 * reading (a blocking socket read ignores the interrupt). Here the server may send at
 * most {@link #MAX_ANSWER_BYTES} in answer to one command (from one write of the hub to
 * the next), and a read on a thread that was interrupted (its attempt timed out) fails:
 * either way with an {@link IOException}, and the connection is given up.
 *
 * <p>
 * Given to Angus Mail as {@code mail.<protocol>.socketFactory}: its write-timeout wrapper
 * and the TLS layer (STARTTLS, smtps) sit on top of these sockets, so with TLS the bytes
 * counted are the encrypted ones, the server's certificates included.
 */
final class BoundedSmtpSockets extends SocketFactory {

	/**
	 * An SMTP reply line is at most 512 bytes (RFC 5321), an EHLO reply a few lines; a
	 * TLS handshake's certificate chain a few KB.
	 */
	static final int MAX_ANSWER_BYTES = 256 * 1024;

	@Override
	public Socket createSocket() {
		return new BoundedSocket();
	}

	@Override
	public Socket createSocket(String host, int port) throws IOException {
		return connected(new InetSocketAddress(host, port), null);
	}

	@Override
	public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
		return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
	}

	@Override
	public Socket createSocket(InetAddress host, int port) throws IOException {
		return connected(new InetSocketAddress(host, port), null);
	}

	@Override
	public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
			throws IOException {
		return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
	}

	private static Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
		Socket socket = new BoundedSocket();
		if (local != null) {
			socket.bind(local);
		}
		socket.connect(remote);
		return socket;
	}

	private static final class BoundedSocket extends Socket {

		/** Bytes read since the hub last wrote. */
		private volatile int unasked;

		private InputStream answers;

		private OutputStream commands;

		@Override
		public synchronized InputStream getInputStream() throws IOException {
			if (this.answers == null) {
				this.answers = new Answers(super.getInputStream());
			}
			return this.answers;
		}

		@Override
		public synchronized OutputStream getOutputStream() throws IOException {
			if (this.commands == null) {
				this.commands = new Commands(super.getOutputStream());
			}
			return this.commands;
		}

		private final class Answers extends FilterInputStream {

			Answers(InputStream in) {
				super(in);
			}

			@Override
			public int read() throws IOException {
				checkInterrupt();
				int read = super.read();
				count((read >= 0) ? 1 : 0);
				return read;
			}

			@Override
			public int read(byte[] bytes, int offset, int length) throws IOException {
				checkInterrupt();
				int read = super.read(bytes, offset, length);
				count(read);
				return read;
			}

			private void count(int read) throws IOException {
				if (read > 0 && (BoundedSocket.this.unasked += read) > MAX_ANSWER_BYTES) {
					throw new IOException("the SMTP server sent more than " + MAX_ANSWER_BYTES / 1024
							+ " KB in answer to one command");
				}
			}

			private static void checkInterrupt() throws InterruptedIOException {
				if (Thread.currentThread().isInterrupted()) {
					throw new InterruptedIOException(
							"the attempt timed out: the SMTP server's answer is no longer read");
				}
			}

		}

		private final class Commands extends FilterOutputStream {

			Commands(OutputStream out) {
				super(out);
			}

			@Override
			public void write(int b) throws IOException {
				BoundedSocket.this.unasked = 0;
				this.out.write(b);
			}

			@Override
			public void write(byte[] bytes, int offset, int length) throws IOException {
				BoundedSocket.this.unasked = 0;
				this.out.write(bytes, offset, length);
			}

		}

	}

}

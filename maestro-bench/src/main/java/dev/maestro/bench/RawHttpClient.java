package dev.maestro.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking HTTP/1.1 keep-alive client over one socket, for the load generator only. It exists because the
 * JDK {@code HttpClient} hands every request between the caller, its selector thread and an executor: on a 2-core
 * machine those hand-offs in the client process compete with the server for the same cores and show up as
 * latency that is not the server's. This client writes pre-built request bytes and reads the response on the
 * calling thread (status line, headers, {@code Content-Length} or chunked body). Not a general HTTP client.
 */
final class RawHttpClient implements Closeable {
    /** Status and body of one response. */
    record Response(int status, String body) {
    }

    private final InetSocketAddress address;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final StringBuilder line = new StringBuilder(128);

    RawHttpClient(InetSocketAddress address) {
        this.address = address;
    }

    /** Builds the bytes of a POST with a JSON body (keep-alive). */
    static byte[] post(String host, int port, String path, String json, String bearer) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(256).append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        if (bearer != null) {
            h.append("Authorization: Bearer ").append(bearer).append("\r\n");
        }
        h.append("\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** Sends one request and reads its response; on any I/O error the connection is dropped (reopened next time). */
    Response send(byte[] request) throws IOException {
        try {
            if (socket == null) {
                open();
            }
            out.write(request);
            out.flush();
            return read();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private void open() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(address, 10_000);
        s.setSoTimeout(60_000);
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 1 << 16);
        out = s.getOutputStream();
    }

    private Response read() throws IOException {
        String status = readLine();
        if (!status.startsWith("HTTP/1.") || status.length() < 12) {
            throw new IOException("bad status line: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = status.startsWith("HTTP/1.0");
        for (String h = readLine(); !h.isEmpty(); h = readLine()) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.toLowerCase().contains("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("Connection")) {
                closeAfter = value.equalsIgnoreCase("close");
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(length > 0 ? (int) Math.min(length, 1 << 20) : 1024);
        if (chunked) {
            for (int size = Integer.parseInt(chunkSize(readLine()), 16); size > 0; size = Integer.parseInt(chunkSize(readLine()), 16)) {
                copy(size, body);
                readLine(); // CRLF after the chunk
            }
            for (String t = readLine(); !t.isEmpty(); t = readLine()) {
                // trailers, ignored
            }
        } else if (length >= 0) {
            copy(length, body);
        } else {
            in.transferTo(body); // body until the server closes
            closeAfter = true;
        }
        if (closeAfter) {
            close();
        }
        return new Response(code, body.toString(StandardCharsets.UTF_8));
    }

    private static String chunkSize(String l) {
        int semi = l.indexOf(';');
        return (semi < 0 ? l : l.substring(0, semi)).trim();
    }

    private void copy(long n, ByteArrayOutputStream to) throws IOException {
        byte[] buf = new byte[8192];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
                throw new EOFException("connection closed inside a response body");
            }
            to.write(buf, 0, r);
            n -= r;
        }
    }

    private String readLine() throws IOException {
        line.setLength(0);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to do: the connection is being discarded
            }
            socket = null;
        }
    }
}

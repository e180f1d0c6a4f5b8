package org.soardeferred.uws;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.xml.XMLConstants;
import javax.xml.namespace.NamespaceContext;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpression;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Reads UWS job documents leniently (ESA's TAP+ deviations included: CDATA everywhere, unusual element
 * order, extra elements, odd attributes) but safely: no DTDs, no external entities, bounded size. Elements
 * are matched by namespace with XPath, whatever prefix the server chose.
 */
public class UwsJobReader {

    public static final String UWS_NS = "http://www.ivoa.net/xml/UWS/v1.0";
    public static final String XLINK_NS = "http://www.w3.org/1999/xlink";
    /** A job document is a few kilobytes; a reply this large is not one. */
    static final int MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
    /** A user's job list at ESA holds full job documents: allow a few thousand of them. */
    static final int MAX_LIST_BYTES = 64 * 1024 * 1024;

    private final DocumentBuilderFactory factory = hardenedFactory();
    private final ThreadLocal<Expressions> expressions = ThreadLocal.withInitial(Expressions::new);

    /** Reads a job document from a stream (closed afterwards); relative result hrefs resolve against documentUrl. */
    public UwsJob read(InputStream body, String documentUrl) throws IOException {
        try (InputStream in = body) {
            byte[] bytes = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
            if (bytes.length > MAX_DOCUMENT_BYTES) {
                throw new NotAUwsJobException("The reply is larger than " + MAX_DOCUMENT_BYTES
                        + " bytes, so it is not a UWS job document", new String(bytes, 0, 300, StandardCharsets.UTF_8));
            }
            return read(bytes, documentUrl);
        }
    }

    public UwsJob read(byte[] bytes, String documentUrl) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        Document document = parse(bytes, text);
        Element root = document.getDocumentElement();
        if (!isUws(root, "job")) {
            throw new NotAUwsJobException(describe(document), text);
        }
        UwsJob job = job(root, documentUrl);
        if (job.jobId().isEmpty() && job.phase() == Phase.UNKNOWN) {
            throw new NotAUwsJobException("The UWS job document has neither a jobId nor a phase", text);
        }
        return job;
    }

    /**
     * Reads a UWS job list ({@code GET {base}/tap/async}): {@code uws:jobref}s, or full {@code uws:job} elements as
     * ESA's TAP+ lists them. A job without an address is at {@code listUrl/jobId}.
     */
    public UwsJobList readList(InputStream body, String listUrl) throws IOException {
        byte[] bytes;
        try (InputStream in = body) {
            bytes = in.readNBytes(MAX_LIST_BYTES + 1);
        }
        String text = new String(bytes, 0, Math.min(bytes.length, MAX_LIST_BYTES), StandardCharsets.UTF_8);
        if (bytes.length > MAX_LIST_BYTES) {
            throw new NotAUwsJobException("The job list is larger than " + MAX_LIST_BYTES + " bytes", text);
        }
        Document document = parse(bytes, text);
        Element root = document.getDocumentElement();
        if (!isUws(root, "jobs")) {
            throw new NotAUwsJobException(describe(document).replace("a UWS job document", "a UWS job list"), text);
        }
        String base = listUrl.endsWith("/") ? listUrl : listUrl + "/";
        List<UwsJobList.Entry> entries = new ArrayList<>();
        for (var node = root.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element e && isUws(e, "job")) {
                UwsJob job = job(e, null);
                if (!job.jobId().isEmpty()) {
                    entries.add(new UwsJobList.Entry(job.jobId(), base + job.jobId(), job.creationTime(), job));
                }
            } else if (node instanceof Element e && isUws(e, "jobref")) {
                String id = e.getAttribute("id").trim();
                String href = e.getAttributeNS(XLINK_NS, "href").trim();
                if (id.isEmpty() && href.isEmpty()) {
                    continue;
                }
                String url = href.isEmpty() ? base + id : toUri(base).resolve(toUri(href)).toString();
                entries.add(new UwsJobList.Entry(id, url, UwsDates.parse(child(e, "creationTime")), null));
            }
        }
        return new UwsJobList(List.copyOf(entries));
    }

    /** A job element, of a job document or of a job list. */
    private UwsJob job(Element element, String documentUrl) {
        try {
            Expressions x = expressions.get();
            String jobId = x.jobId.evaluate(element);
            Phase phase = Phase.parse(x.phase.evaluate(element));
            String jobUrl = emptyToNull(x.jobUrl.evaluate(element));
            String error = emptyToNull(x.errorMessage.evaluate(element));
            String version = emptyToNull(x.version.evaluate(element));
            List<UwsResult> results = new ArrayList<>();
            NodeList nodes = (NodeList) x.results.evaluate(element, XPathConstants.NODESET);
            for (int i = 0; i < nodes.getLength(); i++) {
                Element result = (Element) nodes.item(i);
                String href = result.getAttributeNS(XLINK_NS, "href").trim();
                if (href.isEmpty()) {
                    continue;
                }
                results.add(new UwsResult(result.getAttribute("id").trim(), resolve(documentUrl, jobUrl, href),
                        parseSize(result.getAttribute("size"))));
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            NodeList params = (NodeList) x.parameters.evaluate(element, XPathConstants.NODESET);
            for (int i = 0; i < params.getLength(); i++) {
                Element p = (Element) params.item(i);
                parameters.putIfAbsent(p.getAttribute("id").trim().toLowerCase(Locale.ROOT), p.getTextContent().strip());
            }
            return new UwsJob(jobId, phase, jobUrl, results, error, version,
                    UwsDates.parse(x.creationTime.evaluate(element)), parameters);
        } catch (XPathExpressionException e) {
            throw new IllegalStateException("UWS XPath failed", e);
        }
    }

    private static boolean isUws(Element element, String localName) {
        return UWS_NS.equals(element.getNamespaceURI()) && localName.equals(element.getLocalName());
    }

    /** The text of a UWS child element, or null. */
    private static String child(Element parent, String localName) {
        for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element e && isUws(e, localName)) {
                return e.getTextContent();
            }
        }
        return null;
    }

    private Document parse(byte[] bytes, String text) {
        try {
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            return builder.parse(new ByteArrayInputStream(bytes));
        } catch (SAXException e) {
            String reason = text.contains("<!DOCTYPE") && !looksLikeHtml(text)
                    ? "The reply declares a DTD, which is refused (no DTDs or external entities are read)"
                    : looksLikeHtml(text) ? "The reply is an HTML page, not a UWS job document"
                    : "The reply is not well-formed XML (" + e.getMessage() + ")";
            throw new NotAUwsJobException(reason, text);
        } catch (IOException | ParserConfigurationException e) {
            throw new IllegalStateException("Cannot parse a UWS document", e);
        }
    }

    private static String describe(Document document) {
        Element root = document.getDocumentElement();
        String name = root.getLocalName() == null ? root.getNodeName() : root.getLocalName();
        if ("VOTABLE".equalsIgnoreCase(name)) {
            NodeList infos = document.getElementsByTagNameNS("*", "INFO");
            for (int i = 0; i < infos.getLength(); i++) {
                Element info = (Element) infos.item(i);
                if ("QUERY_STATUS".equals(info.getAttribute("name")) && "ERROR".equals(info.getAttribute("value"))) {
                    return "The server answered with a VOTable error: " + info.getTextContent().trim();
                }
            }
            return "The server answered with a VOTable, not a UWS job document";
        }
        if ("html".equalsIgnoreCase(name)) {
            return "The reply is an HTML page, not a UWS job document";
        }
        return "The reply is XML but not a UWS job document (root element <" + root.getNodeName() + ">)";
    }

    private static boolean looksLikeHtml(String text) {
        String head = text.stripLeading().toLowerCase();
        return head.startsWith("<!doctype html") || head.startsWith("<html") || head.contains("<html");
    }

    /** Relative hrefs are resolved against the job URL when known, else against the document's own URL. */
    static String resolve(String documentUrl, String jobUrl, String href) {
        URI uri = toUri(href);
        if (uri.isAbsolute()) {
            return uri.toString();
        }
        String base = jobUrl != null ? jobUrl : documentUrl;
        if (base == null) {
            return uri.toString();
        }
        // a job URL names a folder: results/r1 is below it
        return toUri(base.endsWith("/") ? base : base + "/").resolve(uri).toString();
    }

    /** A URI from a server's text: characters a URI may not hold are percent-encoded, as is a stray '%'. */
    static URI toUri(String text) {
        StringBuilder out = new StringBuilder();
        byte[] bytes = text.strip().getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean escape = b == '%' && !(i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2]));
            if (!escape && b < 0x80 && (Character.isLetterOrDigit(b) || "-._~:/?#[]@!$&'()*+,;=%".indexOf(b) >= 0)) {
                out.append((char) b);
            } else {
                out.append('%').append(String.format("%02X", b));
            }
        }
        try {
            return new URI(out.toString());
        } catch (java.net.URISyntaxException e) {
            throw new NotAUwsJobException("The job document holds an address that is not a URL (" + e.getMessage() + ")", text);
        }
    }

    private static boolean isHex(byte b) {
        return Character.digit(b, 16) >= 0;
    }

    /** ESA's older servers wrote sizes over 2 GiB wrongly: anything not a positive number is "unknown". */
    static Long parseSize(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            long size = Long.parseLong(text.trim());
            return size >= 0 ? size : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String emptyToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }

    static DocumentBuilderFactory hardenedFactory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        try {
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        } catch (ParserConfigurationException | IllegalArgumentException e) {
            throw new IllegalStateException("The XML parser cannot be hardened", e);
        }
        return f;
    }

    /** Compiled XPath expressions; XPath objects are not thread-safe, so one set per thread. */
    private static final class Expressions {
        final XPathExpression jobId;
        final XPathExpression phase;
        final XPathExpression jobUrl;
        final XPathExpression errorMessage;
        final XPathExpression version;
        final XPathExpression results;
        final XPathExpression parameters;
        final XPathExpression creationTime;

        Expressions() {
            XPath xpath = XPathFactory.newInstance().newXPath();
            xpath.setNamespaceContext(new UwsNamespaces());
            try {
                // relative to a uws:job element (the document's root, or one of a job list)
                jobId = xpath.compile("normalize-space(uws:jobId)");
                phase = xpath.compile("normalize-space(uws:phase)");
                jobUrl = xpath.compile("normalize-space(uws:parameters/uws:parameter[@id='email_base_url'])");
                errorMessage = xpath.compile("normalize-space(uws:errorSummary/uws:message)");
                version = xpath.compile("string(@version)");
                results = xpath.compile("uws:results/uws:result");
                parameters = xpath.compile("uws:parameters/uws:parameter");
                creationTime = xpath.compile("normalize-space(uws:creationTime)");
            } catch (XPathExpressionException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final class UwsNamespaces implements NamespaceContext {
        @Override
        public String getNamespaceURI(String prefix) {
            return switch (prefix) {
                case "uws" -> UWS_NS;
                case "xlink" -> XLINK_NS;
                default -> XMLConstants.NULL_NS_URI;
            };
        }

        @Override
        public String getPrefix(String namespaceUri) {
            return null;
        }

        @Override
        public Iterator<String> getPrefixes(String namespaceUri) {
            return null;
        }
    }
}

package org.soardeferred.simulator;

/** The VOTable text the simulator writes: the document head and SOAR's error document. */
final class VoTables {

    static final String HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VOTABLE version=\"1.3\" "
            + "xmlns=\"http://www.ivoa.net/xml/VOTable/v1.3\">\n";

    private VoTables() {
    }

    /** An error document: {@code <INFO name="QUERY_STATUS" value="ERROR">message</INFO>} in a results resource. */
    static String error(String message) {
        return HEAD + "<RESOURCE type=\"results\">\n<INFO name=\"QUERY_STATUS\" value=\"ERROR\">" + escape(message)
                + "</INFO>\n</RESOURCE>\n</VOTABLE>\n";
    }

    /** Escapes text for XML element content. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

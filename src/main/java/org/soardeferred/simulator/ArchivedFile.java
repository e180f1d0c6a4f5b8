package org.soardeferred.simulator;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One file in the simulator's archive catalogue: a row of SOAR's {@code v_public_files} (and of
 * {@code v_sc_repository_file} or {@code v_ll_repository_file}).
 *
 * @param fileName        the file name, e.g. {@code solo_L2_mag-rtn-burst_20210827_V03.cdf}
 * @param itemId          the data item id: the file name without version and extension
 * @param itemVersion     e.g. {@code V03}
 * @param instrument      e.g. {@code MAG}
 * @param processingLevel e.g. {@code L2}, {@code LL02}; null for calibration files, as in SOAR
 * @param dataType        {@code SCI}, {@code LL} or {@code CAL}
 * @param fileSize        bytes
 * @param archivedOn      when the file entered the archive, SOAR's format without zone: {@code 2024-03-11T18:04:38.139}
 * @param beginTime       start of the data, same format, e.g. {@code 2021-08-27T00:00:00.0}
 * @param filepath        relative directory without leading or trailing slash, e.g. {@code sci/MAG/L2/2021/08/27}
 */
public record ArchivedFile(String fileName, String itemId, String itemVersion, String instrument,
                           String processingLevel, String dataType, long fileSize, String archivedOn,
                           String beginTime, String filepath) {

    /** solo_&lt;level&gt;_&lt;descriptor&gt;_&lt;date…&gt; */
    private static final Pattern ITEM_ID = Pattern.compile("solo_([A-Za-z0-9]+)_([^_]+)(?:_.*)?");
    /** The first stand-alone 8-digit date, with its time when one follows (low-latency ids carry one). */
    private static final Pattern DATE = Pattern.compile("(?<![0-9])(\\d{4})(\\d{2})(\\d{2})(?:T(\\d{2})(\\d{2})(\\d{2}))?(?![0-9])");

    /** Checks what the simulator relies on: a file name and an item id. */
    public ArchivedFile {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(itemId, "itemId");
    }

    /**
     * A catalogue row derived from a SOAR data item id, as SOAR would list it.
     * <ul>
     *   <li>fileName = {@code itemId + "_" + version + ".cdf"}</li>
     *   <li>processingLevel = the level token ({@code L1}, {@code L2}, {@code LL02}, …);
     *       instrument = the descriptor up to its first '-', upper case</li>
     *   <li>dataType = {@code LL} for levels starting with LL, {@code CAL} for the level {@code CAL}
     *       (whose processing level SOAR leaves null), else {@code SCI}</li>
     *   <li>beginTime = the id's 8-digit date ({@code 2021-08-27T00:00:00.0}, with the time when the id
     *       carries one, as low-latency ids do), or {@code archivedOn} when the id has none</li>
     *   <li>filepath = {@code dataType/INSTRUMENT/level/yyyy/mm/dd} of the begin time, dataType lower case</li>
     * </ul>
     *
     * @param itemId     e.g. {@code solo_L2_mag-rtn-burst_20210827}
     * @param version    e.g. {@code V03}
     * @param size       file size in bytes
     * @param archivedOn e.g. {@code 2024-03-11T18:04:38.139}
     * @return the row
     * @throws IllegalArgumentException when the id is not of the form {@code solo_<level>_<descriptor>…}
     */
    public static ArchivedFile of(String itemId, String version, long size, String archivedOn) {
        Matcher id = ITEM_ID.matcher(itemId);
        if (!id.matches()) {
            throw new IllegalArgumentException("not a SOAR data item id: " + itemId);
        }
        String level = id.group(1);
        String descriptor = id.group(2);
        int dash = descriptor.indexOf('-');
        String instrument = (dash < 0 ? descriptor : descriptor.substring(0, dash)).toUpperCase(Locale.ROOT);
        String dataType = level.startsWith("LL") ? "LL" : level.equals("CAL") ? "CAL" : "SCI";
        String beginTime = beginTime(itemId, archivedOn);
        String day = beginTime == null || beginTime.length() < 10 ? "" : "/" + beginTime.substring(0, 10).replace('-', '/');
        String filepath = dataType.toLowerCase(Locale.ROOT) + "/" + instrument + "/" + level + day;
        return new ArchivedFile(itemId + "_" + version + ".cdf", itemId, version, instrument,
                dataType.equals("CAL") ? null : level, dataType, size, archivedOn, beginTime, filepath);
    }

    private static String beginTime(String itemId, String archivedOn) {
        Matcher d = DATE.matcher(itemId);
        if (!d.find()) {
            return archivedOn;
        }
        String time = d.group(4) == null ? "00:00:00" : d.group(4) + ":" + d.group(5) + ":" + d.group(6);
        return d.group(1) + "-" + d.group(2) + "-" + d.group(3) + "T" + time + ".0";
    }
}

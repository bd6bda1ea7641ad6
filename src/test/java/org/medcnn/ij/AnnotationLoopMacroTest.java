package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.plugin.frame.RoiManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.data.Datasets;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * The annotation loop in real ImageJ, from one batch-mode macro (issue 13): Open DICOM → Segment Tumors → edit the
 * lesion outlines in the ROI Manager (enlarge one, draw a missed one) → Add to Training Set → Fine-tune Model →
 * Segment Tumors with the new model; then Suggest Next Case ranks the sample cases. Sample case 21 with the bundled
 * golden segmenter. Needs a display (Xvfb).
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AnnotationLoopMacroTest {

	private static final Path CASE21 = Path.of("sample-dicom", "phantom", "test", "images", "case21");
	private static final Path SEGMENTER = Path.of("src", "test", "resources", "golden", "models", "segmenter");

	@TempDir
	static Path tmp;

	@BeforeAll
	static void setUp() throws IOException {
		assumeFalse(java.awt.GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		assumeTrue(Files.isDirectory(CASE21), "sample-dicom/ not present");
		IjHarness.start(tmp);
	}

	@Test
	void segmentEditAddFineTuneSegmentAgain() throws IOException {
		RoiManager open = RoiManager.getRawInstance();
		if (open != null) open.close();
		IjHarness.clearDialogs();
		Path project = tmp.resolve("set"), v2 = tmp.resolve("model-v2");
		String result = IJ.runMacro("setBatchMode(true);\n"
			+ "run(\"Open DICOM...\", \"path=[" + CASE21.toAbsolutePath() + "]\");\n"
			+ "run(\"Segment Tumors...\", \"model=[" + SEGMENTER.toAbsolutePath() + "]\");\n"
			+ "n = roiManager(\"count\");\n"
			// enlarge the first outline: its bounds grown by 2 pixels on every side, as an oval, on its slice
			+ "roiManager(\"select\", 0);\n"
			+ "getSelectionBounds(x, y, w, h);\n"
			+ "makeOval(x - 2, y - 2, w + 4, h + 4);\n"
			+ "roiManager(\"update\");\n"
			// a lesion the model missed: a square in a corner of slice 2
			+ "setSlice(2);\n"
			+ "makeRectangle(3, 3, 6, 6);\n"
			+ "roiManager(\"add\");\n"
			+ "run(\"Add to Training Set...\", \"project=[" + project + "] case=case21\");\n"
			+ "run(\"Fine-tune Model...\", \"model=[" + SEGMENTER.toAbsolutePath() + "] images=[" + project.resolve("images")
			+ "] masks=[" + project.resolve("masks") + "] out=[" + v2 + "] epochs=2\");\n"
			+ "roiManager(\"reset\");\n"
			+ "run(\"Segment Tumors...\", \"model=[" + v2 + "]\");\n"
			+ "m = roiManager(\"count\");\n"
			+ "title = getTitle();\n"
			+ "setBatchMode(\"exit and display\");\n"
			+ "return \"\" + n + \"|\" + m + \"|\" + title;");
		assertTrue(result != null && result.split("\\|").length == 3, "the macro failed: " + result + " " + IjHarness.DIALOGS);
		String[] parts = result.split("\\|");
		assertTrue(Integer.parseInt(parts[0]) > 0, "Segment Tumors put outlines into the ROI Manager: " + result);

		// the training set reads back through train-segmenter's reader, and holds the edits
		Volume image = Datasets.loadImage(CASE21, ProgressListener.NONE, new Cancellation());
		List<Datasets.Case> cases = Datasets.loadCases(project.resolve("images"), project.resolve("masks"), ProgressListener.NONE,
			new Cancellation());
		assertEquals(1, cases.size());
		assertArrayEquals(image.voxels(), cases.get(0).image().voxels(), 0f, "the referenced series reads back voxel for voxel");
		Mask saved = cases.get(0).mask();
		for (int y = 3; y < 9; y++)
			for (int x = 3; x < 9; x++) assertEquals(1, saved.get(x, y, 1), "the drawn lesion at " + x + "," + y + " slice 2");
		Mask predicted;
		try (Segmenter s = Models.openSegmenter(SEGMENTER)) {
			predicted = Lesions.removeSmall(s.segment(image, null, null).mask(), BatchProcessTool.MIN_LESION_VOXELS);
		}
		long added = 0, removed = 0;
		for (int i = 0; i < saved.labels().length; i++) {
			if (saved.labels()[i] != 0 && predicted.labels()[i] == 0) added++;
			if (saved.labels()[i] == 0 && predicted.labels()[i] != 0) removed++;
		}
		Map<?, ?> manifest = (Map<?, ?>) Json.parse(Files.readString(project.resolve("manifests").resolve("case21.json")));
		Map<?, ?> change = (Map<?, ?>) manifest.get("correction");
		assertTrue(added >= 36, "the edits added voxels: " + added);
		assertEquals(added, ((Number) change.get("voxelsAdded")).longValue(), "manifest: " + manifest);
		assertEquals(removed, ((Number) change.get("voxelsRemoved")).longValue(), "manifest: " + manifest);
		assertEquals("segmenter", ((Map<?, ?>) manifest.get("model")).get("name"));

		// the fine-tuned package records its parent and the case, and Segment Tumors ran with it
		Map<?, ?> lineage = (Map<?, ?>) Models.readCard(v2).json().get("lineage");
		assertEquals("segmenter", ((Map<?, ?>) lineage.get("parent")).get("name"));
		assertEquals(List.of("case21"), lineage.get("casesAdded"));
		ImagePlus imp = WindowManager.getImage(parts[2]);
		assertEquals(v2.toAbsolutePath().normalize().toString(), imp.getProp(SegmentTumorsTool.PROP_MODEL));
		imp.changes = false;
		imp.close();
		Tables.clear(SegmentTumorsTool.TABLE_TITLE);
	}

	/**
	 * The corrected state as a person sees it: after Add to Training Set the overlay is redrawn from the saved mask,
	 * so the lesion drawn by hand on slice 2 is outlined and filled. Captures the screen to
	 * {@code target/ij-annotation-loop.png} for a person to look at.
	 */
	@Test
	void theOverlayFollowsTheCorrection() throws Exception {
		RoiManager open = RoiManager.getRawInstance();
		if (open != null) open.close();
		IjHarness.clearDialogs();
		Path project = tmp.resolve("set-screenshot");
		String title = IJ.runMacro("setBatchMode(true);\n"
			+ "run(\"Open DICOM...\", \"path=[" + CASE21.toAbsolutePath() + "]\");\n"
			+ "run(\"Segment Tumors...\", \"model=[" + SEGMENTER.toAbsolutePath() + "]\");\n"
			+ "setSlice(2);\n"
			+ "makeOval(20, 20, 14, 12);\n"
			+ "roiManager(\"add\");\n"
			+ "run(\"Add to Training Set...\", \"project=[" + project + "] case=shot copy\");\n"
			+ "title = getTitle();\n"
			+ "setBatchMode(\"exit and display\");\n"
			+ "return title;");
		assertTrue(title != null && !title.equals("[aborted]"), "the macro failed: " + title + " " + IjHarness.DIALOGS);
		ImagePlus imp = WindowManager.getImage(title);
		long onSlice2 = java.util.Arrays.stream(imp.getOverlay().toArray())
			.filter(r -> !(r instanceof ij.gui.ImageRoi) && SegmentTumorsTool.isSegmentationRoi(r) && r.getPosition() == 2)
			.filter(r -> r.getBounds().intersects(new java.awt.Rectangle(20, 20, 14, 12))).count();
		assertEquals(1, onSlice2, "the hand-drawn lesion has its outline in the redrawn overlay");
		assertTrue(Files.isRegularFile(project.resolve("images").resolve("shot.nii.gz")), "copy asked for");
		// the slice as displayed, overlay burnt in, enlarged 4x (nearest neighbour) for a person to look at
		imp.setSlice(2);
		ImagePlus flat = imp.flatten();
		flat.setProcessor(flat.getProcessor().resize(flat.getWidth() * 4, flat.getHeight() * 4, false));
		Path file = Path.of("target", "ij-annotation-loop.png");
		Files.createDirectories(file.getParent());
		IJ.saveAs(flat, "png", file.toString());
		assertTrue(Files.isRegularFile(file), "picture written");
		imp.changes = false;
		imp.close();
		Tables.clear(SegmentTumorsTool.TABLE_TITLE);
	}

	/**
	 * The overlay follows each edit at once, before any Add to Training Set (issue 13, item 1): after Segment Tumors
	 * (with its mask image) a batch macro enlarges an outline (Update), adds a missed lesion (Add), deletes it again
	 * (Delete) and paints a lesion into the mask image; after each step the image's outlines and fills, its corrected
	 * mask, the mask the ROI Manager's ROIs stand for and the mask image agree, and show the edit.
	 */
	@Test
	void theOverlayFollowsEachEditAtOnce() {
		RoiManager open = RoiManager.getRawInstance();
		if (open != null) open.close();
		IjHarness.clearDialogs();
		LiveCorrectionProbe.SNAPSHOTS.clear();
		String probe = "call(\"" + LiveCorrectionProbe.class.getName() + ".snapshot\", ";
		try {
			followEdits(probe);
		} finally {
			LiveCorrection.unlink();
			for (int id : java.util.Optional.ofNullable(WindowManager.getIDList()).orElse(new int[0])) {
				ImagePlus imp = WindowManager.getImage(id);
				imp.changes = false;
				imp.close();
			}
			Tables.clear(SegmentTumorsTool.TABLE_TITLE);
		}
	}

	private static void followEdits(String probe) {
		String result = IJ.runMacro("setBatchMode(true);\n"
			+ "run(\"Open DICOM...\", \"path=[" + CASE21.toAbsolutePath() + "]\");\n"
			+ "title = getTitle();\n"
			+ "run(\"Segment Tumors...\", \"model=[" + SEGMENTER.toAbsolutePath() + "] mask\");\n"
			+ "selectImage(title);\n"
			+ probe + "\"segmented\");\n"
			+ "roiManager(\"select\", 0);\n"
			+ "z = getSliceNumber();\n"
			+ "getSelectionBounds(x, y, w, h);\n"
			+ "makeOval(x - 3, y - 3, w + 6, h + 6);\n"
			+ "roiManager(\"update\");\n"
			+ probe + "\"updated\");\n"
			+ "setSlice(2);\n"
			+ "makeRectangle(3, 3, 6, 6);\n"
			+ "roiManager(\"add\");\n"
			+ probe + "\"added\");\n"
			+ "roiManager(\"select\", roiManager(\"count\") - 1);\n"
			+ "roiManager(\"delete\");\n"
			+ probe + "\"deleted\");\n"
			+ "selectImage(title + \"-mask\");\n"
			+ "setSlice(3);\n"
			+ "makeRectangle(50, 4, 5, 5);\n"
			+ "run(\"Set...\", \"value=1 slice\");\n"
			+ "run(\"Select None\");\n"
			+ "selectImage(title);\n"
			+ probe + "\"painted\");\n"
			+ "n = roiManager(\"count\");\n"
			+ "setBatchMode(false);\n"
			+ "return \"\" + z + \"|\" + x + \"|\" + y + \"|\" + w + \"|\" + h + \"|\" + n;");
		assertTrue(result != null && result.split("\\|").length == 6, "the macro failed: " + result + " " + IjHarness.DIALOGS);
		int[] v = java.util.Arrays.stream(result.split("\\|")).mapToInt(Integer::parseInt).toArray();
		int z = v[0];
		java.awt.Rectangle oval = new java.awt.Rectangle(v[1] - 3, v[2] - 3, v[3] + 6, v[4] + 6);
		var shots = LiveCorrectionProbe.SNAPSHOTS;
		assertEquals(List.of("segmented", "updated", "added", "deleted", "painted"), List.copyOf(shots.keySet()));
		for (var e : shots.entrySet()) {
			LiveCorrectionProbe.Snapshot s = e.getValue();
			String at = "after \"" + e.getKey() + "\": ";
			assertTrue(s.corrected() != null, at + "the image keeps its corrected mask");
			assertArrayEquals(s.fromManager().labels(), s.corrected().labels(),
				at + "the corrected mask is what the ROI Manager's ROIs stand for (what Add to Training Set saves)");
			assertArrayEquals(s.corrected().labels(), s.maskImage(), at + "the mask image shows the corrected mask");
			assertEquals(count(s.corrected(), -1), s.fillPixels(), at + "the overlay fills cover exactly the mask");
		}
		LiveCorrectionProbe.Snapshot seg = shots.get("segmented"), upd = shots.get("updated"), add = shots.get("added"),
			del = shots.get("deleted"), paint = shots.get("painted");
		// Update: the enlarged outline is drawn on its slice and its voxels are in the mask
		assertTrue(count(upd.corrected(), z - 1) > count(seg.corrected(), z - 1), "the enlarged outline grew the mask on slice "
			+ z);
		assertTrue(upd.outlines().stream().anyMatch(r -> r.getPosition() == z && r.getBounds().equals(oval)),
			"an outline on slice " + z + " is the enlarged oval " + oval + ": " + bounds(upd.outlines()));
		// Add: a lesion in a corner of slice 2; Delete: gone again
		for (int y = 3; y < 9; y++)
			for (int x = 3; x < 9; x++) {
				assertEquals(1, add.corrected().get(x, y, 1), "the added lesion at " + x + "," + y);
				assertEquals(0, del.corrected().get(x, y, 1), "the deleted lesion at " + x + "," + y);
			}
		java.awt.Rectangle square = new java.awt.Rectangle(3, 3, 6, 6);
		assertTrue(add.outlines().stream().anyMatch(r -> r.getPosition() == 2 && r.getBounds().equals(square)),
			"the added lesion is outlined on slice 2: " + bounds(add.outlines()));
		assertTrue(del.outlines().stream().noneMatch(r -> r.getBounds().equals(square)), "the deleted lesion's outline is gone");
		assertArrayEquals(upd.corrected().labels(), del.corrected().labels(), "Delete undid Add");
		assertEquals(upd.managerCount(), del.managerCount());
		// painting the mask image: outlined, in the mask, and the ROI Manager holds the new outlines
		assertEquals(count(del.corrected(), -1) + 25, count(paint.corrected(), -1), "the painted 5×5 square is in the mask");
		java.awt.Rectangle painted = new java.awt.Rectangle(50, 4, 5, 5);
		assertTrue(paint.outlines().stream().anyMatch(r -> r.getPosition() == 3 && r.getBounds().equals(painted)),
			"the painted lesion is outlined on slice 3: " + bounds(paint.outlines()));
		assertEquals(paint.outlines().size(), paint.managerCount(), "the ROI Manager holds one outline per lesion and slice");
	}

	/** Foreground voxels of a mask, on slice {@code z} (0-based) or, with −1, in all. */
	private static long count(Mask m, int z) {
		int n = m.geometry().sliceSize();
		byte[] l = m.labels();
		long c = 0;
		for (int i = z < 0 ? 0 : z * n; i < (z < 0 ? l.length : (z + 1) * n); i++) if (l[i] != 0) c++;
		return c;
	}

	private static List<String> bounds(List<ij.gui.Roi> rois) {
		return rois.stream().map(r -> r.getPosition() + ":" + r.getBounds()).toList();
	}

	@Test
	void suggestNextCaseRanksTheFolderAndOpensTheFirst() {
		IjHarness.clearDialogs();
		Path folder = CASE21.getParent();
		String result = IJ.runMacro("setBatchMode(true);\n"
			+ "run(\"Suggest Next Case...\", \"model=[" + SEGMENTER.toAbsolutePath() + "] folder=[" + folder.toAbsolutePath()
			+ "]\");\n"
			+ "title = getTitle();\n"
			+ "rows = Table.size(\"" + SuggestNextCasePlugin.TABLE_TITLE + "\");\n"
			+ "first = Table.getString(\"case\", 0, \"" + SuggestNextCasePlugin.TABLE_TITLE + "\");\n"
			+ "setBatchMode(\"exit and display\");\n"
			+ "return \"\" + rows + \"|\" + first + \"|\" + title;");
		assertTrue(result != null && result.split("\\|").length == 3, "the macro failed: " + result + " " + IjHarness.DIALOGS);
		String[] parts = result.split("\\|");
		int cases;
		try (var s = Files.list(folder)) {
			cases = (int) s.count();
		} catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
		assertEquals(cases, Integer.parseInt(parts[0]), "one row per case");
		ImagePlus imp = WindowManager.getImage(parts[2]);
		assertTrue(imp != null && imp.getStackSize() > 1, "the first case was opened: " + result);
		imp.changes = false;
		imp.close();
	}
}

package org.medcnn.ij;

import ij.IJ;
import ij.ImageListener;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.plugin.frame.RoiManager;
import ij.process.ImageProcessor;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;

/**
 * Keeps a segmented image's lesion overlay and its corrected mask in step with every edit (issue 13, "the overlay
 * follows the edit"): after {@code Segment Tumors...} the image is linked to the ROI Manager that received its outlines
 * (in a batch-mode macro, the macro's hidden one) and, when it was opened, to its mask image {@code <title>-mask}.
 * <ul>
 * <li>Any change to the ROI Manager's list (Add, Update, Delete, Reset, a brushed or reshaped ROI once Updated, the
 * macro's {@code roiManager(...)}) redraws the overlay at once from the manager's area ROIs, through the same
 * conversion {@code Add to Training Set...} uses ({@link AddToTrainingSetTool#correctedMask}), and writes the mask into
 * the linked mask image.</li>
 * <li>Painting the mask image (any change that ends in {@link ImagePlus#updateAndDraw()}, e.g. the brush or pencil, or
 * a macro's {@code updateDisplay()}) redraws the overlay from its labels and replaces the manager's ROIs with the new
 * lesion outlines, so that the manager, the overlay and the mask image agree. ImageJ reports painting only for
 * an image in a window; a batch-mode macro's painting is found when the mask is next read ({@link #settle()}).
 * </li>
 * </ul>
 * The corrected mask is kept on the image as {@link #PROP_CORRECTED}; it is what {@code Add to Training Set...} with
 * mask {@code auto} saves. ImageJ 1.x has no listener for the ROI Manager's contents, so the link watches the manager's
 * ROI list itself (its private list is wrapped in one that reports each change); where that is not
 * possible (another ImageJ version), the overlay follows at {@code Add to Training Set...} only, and the Log says so.
 * <p>
 * One link at a time (the ROI Manager is global): linking another image ends the previous link; closing the image ends
 * it. Changes are applied on the thread that made them (the event thread for clicks, the macro's thread in a macro),
 * so a macro sees the redrawn overlay on its next line; a painted mask image is followed on the event thread, where
 * ImageJ reports it, a moment later ({@link #settle()} waits for it). Errors while following (an added ROI without a
 * slice position) go to the status line and leave the last good state; they never break the ROI Manager's own command.
 */
public final class LiveCorrection implements ImageListener {

	/** Image property ({@link ImagePlus#getProperty}): the corrected {@link Mask} as last edited. */
	public static final String PROP_CORRECTED = "medcnn.corrected";

	private static LiveCorrection current;

	private final ImagePlus imp;
	private final WatchedRois rois;
	private final RoiManager manager;
	private volatile ImagePlus labels;
	private volatile boolean busy;

	private LiveCorrection(ImagePlus imp, RoiManager manager, WatchedRois rois, ImagePlus labels) {
		this.imp = imp;
		this.manager = manager;
		this.rois = rois;
		this.labels = labels;
	}

	/**
	 * Links {@code imp} to {@code manager} (may be null: then only the mask image is followed) and to the mask image
	 * {@code labels} (may be null), ending any earlier link, and applies the manager's current ROIs (or, without ROIs,
	 * the mask image's labels) once.
	 *
	 * @return the link, or null when there is nothing to follow
	 */
	public static synchronized LiveCorrection link(ImagePlus imp, RoiManager manager, ImagePlus labels) {
		unlink();
		WatchedRois watched = manager == null ? null : watch(manager);
		if (watched == null && labels == null) return null;
		LiveCorrection l = new LiveCorrection(imp, manager, watched, labels);
		if (watched != null) watched.owner = l;
		ImagePlus.addImageListener(l);
		current = l;
		if (watched != null && !watched.isEmpty()) l.managerChanged();
		else if (labels != null) l.labelsChanged();
		return l;
	}

	/** Ends the current link, if any; the overlay and the corrected mask stay as they are. */
	public static synchronized void unlink() {
		LiveCorrection l = current;
		current = null;
		if (l == null) return;
		if (l.rois != null && l.rois.owner == l) l.rois.owner = null;
		ImagePlus.removeImageListener(l);
	}

	/** The image currently linked, or null. */
	public static synchronized ImagePlus linkedImage() {
		return current == null ? null : current.imp;
	}

	/** The corrected mask of {@code imp} as last edited, or null when it has not been linked since it was segmented. */
	public static Mask corrected(ImagePlus imp) {
		return imp.getProperty(PROP_CORRECTED) instanceof Mask m ? m : null;
	}

	/**
	 * Makes the corrected mask current before it is read (Add to Training Set): waits for edits ImageJ has reported but
	 * not yet delivered (it tells image listeners on the event thread, after the change), then applies a mask image
	 * painted without a report (batch mode).
	 */
	public static void settle() {
		if (!java.awt.EventQueue.isDispatchThread() && !java.awt.GraphicsEnvironment.isHeadless()) {
			try {
				java.awt.EventQueue.invokeAndWait(() -> {});
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			} catch (java.lang.reflect.InvocationTargetException e) {
				throw new IllegalStateException("waiting for ImageJ's event thread failed", e.getCause());
			}
		}
		LiveCorrection l;
		synchronized (LiveCorrection.class) {
			l = current;
		}
		if (l != null) l.catchUpWithLabels();
	}

	/**
	 * Applies the mask image when its pixels differ from the corrected mask: ImageJ reports painting only for an image
	 * with a window, so a batch-mode macro's painting is found here.
	 */
	private void catchUpWithLabels() {
		if (busy) return;
		ImagePlus li = labels;
		Mask m = corrected(imp);
		if (li == null || m == null || li.getStackSize() != m.geometry().nz()) return;
		byte[] v = m.labels();
		int n = m.geometry().sliceSize();
		for (int z = 0; z < li.getStackSize(); z++) {
			ImageProcessor ip = li.getStack().getProcessor(z + 1);
			if (ip.getPixelCount() != n) return;
			for (int i = 0; i < n; i++)
				if ((ip.get(i) != 0) != (v[z * n + i] != 0)) {
					labelsChanged();
					return;
				}
		}
	}

	/** Stops the manager's list from reporting to this link while {@code r} runs (bulk changes made by MedCNN itself). */
	static void quietly(RoiManager manager, Runnable r) {
		WatchedRois w = manager == null ? null : watched(manager);
		LiveCorrection owner = w == null ? null : w.owner;
		if (w != null) w.owner = null;
		try {
			r.run();
		} finally {
			if (w != null) w.owner = owner;
		}
	}

	/** The ROI Manager's list changed. */
	void managerChanged() {
		if (busy) return;
		busy = true;
		try {
			List<Roi> area = new ArrayList<>();
			for (Object o : rois.toArray()) if (o instanceof Roi r && r.isArea()) area.add(r);
			// deleting every outline is a valid correction (no lesion), where Add to Training Set's own check refuses an
			// empty manager as a likely mistake
			Mask m = area.isEmpty() ? new Mask(IjVolumes.geometry(imp), new byte[imp.getWidth() * imp.getHeight()
				* imp.getStackSize()]) : AddToTrainingSetTool.correctedMask(imp, AddToTrainingSetTool.ROI_MANAGER,
					area.toArray(Roi[]::new), t -> null);
			AddToTrainingSetTool.showCorrected(imp, m);
			ImagePlus li = labels;
			if (li != null && !li.isLocked()) writeLabels(m, li);
		} catch (RuntimeException e) {
			IJ.showStatus("MedCNN: the overlay did not follow the edit: " + e.getMessage());
		} finally {
			busy = false;
		}
	}

	/** The mask image was painted. */
	void labelsChanged() {
		ImagePlus li = labels;
		if (busy || li == null) return;
		busy = true;
		try {
			Mask m = AddToTrainingSetTool.correctedMask(imp, li.getTitle(), null, t -> li);
			List<Roi> outlines = AddToTrainingSetTool.showCorrected(imp, m);
			if (rois != null) {
				RoiManager rm = manager;
				quietly(rm, () -> {
					rm.reset();
					for (Roi r : outlines) rm.addRoi((Roi) r.clone());
				});
			}
		} catch (RuntimeException e) {
			IJ.showStatus("MedCNN: the overlay did not follow the mask image: " + e.getMessage());
		} finally {
			busy = false;
		}
	}

	private static void writeLabels(Mask m, ImagePlus li) {
		Geometry g = m.geometry();
		if (li.getWidth() != g.nx() || li.getHeight() != g.ny() || li.getStackSize() != g.nz()) return;
		byte[] v = m.labels();
		int n = g.sliceSize();
		for (int z = 0; z < g.nz(); z++) {
			ImageProcessor ip = li.getStack().getProcessor(z + 1);
			for (int i = 0; i < n; i++) ip.set(i, v[z * n + i] & 0xff);
		}
		li.updateAndDraw();
	}

	@Override
	public void imageOpened(ImagePlus image) {}

	@Override
	public void imageClosed(ImagePlus image) {
		if (image == imp) {
			synchronized (LiveCorrection.class) {
				if (current == this) unlink();
			}
		} else if (image == labels) labels = null;
	}

	@Override
	public void imageUpdated(ImagePlus image) {
		// ImageJ reports on the event thread, later: also for the mask image this link rewrote itself, which must not
		// rebuild the ROI Manager (it would rename and reorder the user's ROIs); only a real change is applied
		if (image != null && image == labels) catchUpWithLabels();
	}

	private static Field roisField() throws NoSuchFieldException {
		Field f = RoiManager.class.getDeclaredField("rois");
		f.setAccessible(true);
		return f;
	}

	private static WatchedRois watched(RoiManager rm) {
		try {
			return roisField().get(rm) instanceof WatchedRois w ? w : null;
		} catch (ReflectiveOperationException | RuntimeException e) {
			return null;
		}
	}

	/**
	 * The manager's ROI list, replaced (once per manager) by a {@link WatchedRois} holding the same ROIs. Null when this
	 * ImageJ keeps its ROIs otherwise.
	 */
	@SuppressWarnings("unchecked")
	private static synchronized WatchedRois watch(RoiManager rm) {
		try {
			Field f = roisField();
			Object list = f.get(rm);
			if (list instanceof WatchedRois w) return w;
			if (!(list instanceof ArrayList<?> old)) return unwatchable(null);
			synchronized (rm) {
				WatchedRois w = new WatchedRois((Collection<Object>) old);
				f.set(rm, w);
				return w;
			}
		} catch (ReflectiveOperationException | RuntimeException e) {
			return unwatchable(e);
		}
	}

	private static WatchedRois unwatchable(Exception e) {
		IJ.log("MedCNN: this ImageJ's ROI Manager cannot be followed (" + (e == null ? "its ROI list is not an ArrayList"
			: e.toString()) + "); the overlay follows ROI edits at Add to Training Set only");
		return null;
	}

	/** The ROI Manager's list, reporting every change to its link after making it. */
	static final class WatchedRois extends ArrayList<Object> {
		private static final long serialVersionUID = 1L;
		volatile transient LiveCorrection owner;

		WatchedRois(Collection<Object> rois) {
			super(rois);
		}

		private void changed() {
			LiveCorrection l = owner;
			if (l != null) l.managerChanged();
		}

		@Override
		public boolean add(Object o) {
			boolean r = super.add(o);
			changed();
			return r;
		}

		@Override
		public void add(int index, Object o) {
			super.add(index, o);
			changed();
		}

		@Override
		public Object set(int index, Object o) {
			Object r = super.set(index, o);
			changed();
			return r;
		}

		@Override
		public Object remove(int index) {
			Object r = super.remove(index);
			changed();
			return r;
		}

		@Override
		public boolean remove(Object o) {
			boolean r = super.remove(o);
			if (r) changed();
			return r;
		}

		@Override
		public void clear() {
			super.clear();
			changed();
		}

		@Override
		public boolean addAll(Collection<?> c) {
			boolean r = super.addAll(c);
			if (r) changed();
			return r;
		}

		@Override
		public boolean addAll(int index, Collection<?> c) {
			boolean r = super.addAll(index, c);
			if (r) changed();
			return r;
		}

		@Override
		public boolean removeAll(Collection<?> c) {
			boolean r = super.removeAll(c);
			if (r) changed();
			return r;
		}

		@Override
		public boolean retainAll(Collection<?> c) {
			boolean r = super.retainAll(c);
			if (r) changed();
			return r;
		}

		@Override
		public boolean removeIf(Predicate<? super Object> filter) {
			boolean r = super.removeIf(filter);
			if (r) changed();
			return r;
		}

		@Override
		public void replaceAll(UnaryOperator<Object> operator) {
			super.replaceAll(operator);
			changed();
		}

		@Override
		public void sort(Comparator<? super Object> c) {
			super.sort(c);
			changed();
		}

		@Override
		protected void removeRange(int from, int to) {
			super.removeRange(from, to);
			changed();
		}
	}
}

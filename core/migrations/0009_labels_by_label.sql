-- The messages of one label (the drawer's label views, their counts) without reading every label.
CREATE INDEX labels_by_label ON labels (label, message_id);

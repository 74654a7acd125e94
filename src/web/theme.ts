import { Badge, Combobox, createTheme, Input } from '@mantine/core';

const fontFamily = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Arabic", Tahoma, Arial, sans-serif';

export const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'sm',
  // Noto, Segoe and Tahoma carry Arabic glyphs on most systems, so Arabic does not fall back to a serif face.
  fontFamily,
  headings: { fontFamily },
  components: {
    // Table cells shrink to their content's minimum; without this a badge collapses to "AC…".
    Badge: Badge.extend({ styles: { root: { flexShrink: 0 }, label: { overflow: 'visible' } } }),
    // A closed dropdown stays out of the DOM, so its listbox does not share the field's label.
    Combobox: Combobox.extend({ defaultProps: { keepMounted: false } }),
    // Labels stay exactly their words (an asterisk would become part of the accessible name);
    // optional fields say "(optional)" instead.
    InputWrapper: Input.Wrapper.extend({ defaultProps: { withAsterisk: false } }),
  },
});

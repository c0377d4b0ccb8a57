// svelte-check reads this; Svelte 5 strips `<script lang="ts">` types itself, no preprocessor.
export default {};
